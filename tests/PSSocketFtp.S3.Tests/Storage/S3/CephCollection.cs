namespace PSSocketFtp.S3.Tests;

/// <summary>One Ceph for all the S3 tests.</summary>
[CollectionDefinition(Name)]
public sealed class CephCollection : ICollectionFixture<CephFixture>
{
    public const string Name = "Ceph";
}

using FsCheck;
using FsCheck.Fluent;

namespace PSSocketFtp.Protocol.Tests.Messages;

/// <summary>Generators for the message properties: ids within the upload-id rule, and text that has a UTF-8 form.</summary>
public static class MessageArbitraries
{
    private static readonly char[] UploadIdChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".ToCharArray();

    public static Arbitrary<UploadId> UploadId() =>
        Gen.Choose(1, 64).SelectMany(n => Gen.Elements(UploadIdChars).ArrayOf(n), (_, chars) => new UploadId(new string(chars))).ToArbitrary();

    public static Arbitrary<WireText> WireText() =>
        ArbMap.Default.GeneratorFor<string>().Where(s => s is not null).Select(s => new WireText(new string(s.Where(c => !char.IsSurrogate(c)).ToArray()))).ToArbitrary();
}

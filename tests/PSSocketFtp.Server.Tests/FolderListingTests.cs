using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server.Tests;

/// <summary>
/// FolderListing reads a folder as its entries are pulled: a huge folder is never held whole (issue 11, listing of
/// 1,000,000 entries with bounded memory), while a folder within the sort limit still lists by name.
/// </summary>
public sealed class FolderListingTests : IDisposable
{
    private readonly string _root = Path.Join(Path.GetTempPath(), "psftp-listing-" + Guid.NewGuid().ToString("N"));

    public FolderListingTests()
    {
        Directory.CreateDirectory(Path.Join(_root, "big"));
        for (int i = 0; i < 100; i++)
        {
            File.WriteAllBytes(Path.Join(_root, "big", $"f{i:D3}.txt"), []);
        }
    }

    [Fact]
    public void List_FolderOverSortLimit_ReadsOnlyAheadOfWhatIsPulled()
    {
        var (listing, pinned) = Open(sortLimit: 8);

        using var entries = listing.List("big", pinned, recursive: false).GetEnumerator();
        for (int i = 0; i < 3; i++)
        {
            Assert.True(entries.MoveNext());
        }

        // The first sortLimit + 1 names, to learn that the folder is too big to sort; not the 100.
        Assert.Equal(9, listing.NamesRead);
        int pulled = 3;
        while (entries.MoveNext())
        {
            pulled++;
            Assert.True(listing.NamesRead <= Math.Max(9, pulled));
        }
        Assert.Equal(100, pulled);
        Assert.Equal(100, listing.NamesRead);
    }

    [Fact]
    public void List_FolderOverSortLimit_ListsEveryEntryOnce()
    {
        var (listing, pinned) = Open(sortLimit: 8);

        var paths = listing.List("big", pinned, recursive: false).Select(entry => entry.Path).ToList();

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"big/f{i:D3}.txt"), paths.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void List_FolderWithinSortLimit_ListsByName()
    {
        var (listing, pinned) = Open(sortLimit: 100);

        var paths = listing.List("big", pinned, recursive: false).Select(entry => entry.Path).ToList();

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"big/f{i:D3}.txt"), paths);
        Assert.Equal(100, listing.NamesRead);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private (FolderListing Listing, PinnedItem Folder) Open(int sortLimit)
    {
        var jail = new RootJail(_root);
        var (normalized, full) = jail.Resolve("/big");
        var pinned = jail.PinInside(full, normalized) ?? throw new InvalidOperationException("no folder");
        return (new FolderListing(jail, sortLimit), pinned);
    }
}

namespace PSSocketFtp.Server.Tests;

public class TransportMemoryPoolTests
{
    [Fact]
    public void Rent_AnySizeUpToABlock_WholeBlock()
    {
        using var pool = new TransportMemoryPool();

        using var small = pool.Rent(1);
        using var any = pool.Rent();

        Assert.Equal(TransportMemoryPool.BlockSize, small.Memory.Length);
        Assert.Equal(TransportMemoryPool.BlockSize, any.Memory.Length);
        Assert.Equal(TransportMemoryPool.BlockSize, pool.MaxBufferSize);
    }

    [Fact]
    public void Rent_MoreThanABlock_ThrowsArgumentOutOfRange()
    {
        using var pool = new TransportMemoryPool();

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(TransportMemoryPool.BlockSize + 1));
    }

    [Fact]
    public void Rent_AfterABlockWasReturned_ReusesIt()
    {
        using var pool = new TransportMemoryPool();
        var first = pool.Rent();
        first.Memory.Span[0] = 42;
        var array = first.Memory;
        first.Dispose();

        using var second = pool.Rent();

        Assert.True(second.Memory.Span == array.Span);
    }

    [Fact]
    public void Dispose_Twice_ReturnsTheBlockOnce()
    {
        using var pool = new TransportMemoryPool();
        var block = pool.Rent();
        block.Dispose();
        block.Dispose();

        using var a = pool.Rent();
        using var b = pool.Rent();

        Assert.False(a.Memory.Span == b.Memory.Span);
        Assert.Throws<ObjectDisposedException>(() => block.Memory);
    }

    [Fact]
    public void Trim_BlocksKeptForReuse_LetsThemGo()
    {
        using var pool = new TransportMemoryPool();
        var blocks = Enumerable.Range(0, 3).Select(_ => pool.Rent()).ToList();
        var held = pool.Rent();
        blocks.ForEach(block => block.Dispose());
        Assert.Equal(3, pool.Retained);

        pool.Trim();
        held.Dispose();

        Assert.Equal(1, pool.Retained);
        using var again = pool.Rent();
        Assert.Equal(TransportMemoryPool.BlockSize, again.Memory.Length);
    }

    [Fact]
    public void Trim_OnTheFactory_TrimsEveryPoolItMade()
    {
        var factory = new TransportMemoryPoolFactory();
        using var first = (TransportMemoryPool)factory.Create();
        using var second = (TransportMemoryPool)factory.Create();
        first.Rent().Dispose();
        second.Rent().Dispose();

        factory.Trim();

        Assert.Equal(0, first.Retained);
        Assert.Equal(0, second.Retained);
    }
}

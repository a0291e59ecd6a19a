namespace PSSocketFtp.Client;

/// <summary>
/// One operation's count of tries that failed in a row without moving it forward. Forward is the other side holding more
/// of the transfer than before, as a READY's offset says. A try cut off after moving body bytes is judged by the next
/// READY (for an upload nothing sooner tells whether the server kept them); any other failed try counts at once.
/// </summary>
internal sealed class RetryBudget
{
    private long _held;
    private bool _undecided;

    /// <summary>Failed tries since the transfer last moved forward (for other operations: failed tries).</summary>
    public int Streak { get; private set; }

    /// <summary>A READY said the other side holds <paramref name="offset"/> bytes of the transfer.</summary>
    public void Holds(long offset)
    {
        if (offset > _held)
        {
            Streak = 0;
        }
        else if (_undecided)
        {
            // The bytes the last try moved were not kept: it made no progress after all.
            Streak++;
        }
        _undecided = false;
        _held = offset;
    }

    /// <summary>A try failed; <paramref name="cutAfterMoving"/> when it lost the connection after body bytes moved.</summary>
    public void Failed(bool cutAfterMoving)
    {
        if (cutAfterMoving)
        {
            _undecided = true;
        }
        else
        {
            Streak++;
        }
    }
}

using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.AutoNat;

/// <summary>
/// What the servers said about each of our addresses, and what we conclude (spec
/// "Implementation Suggestions": query multiple servers; consider an address reachable when
/// several report a successful dial). Per address the latest result of each of the last
/// <see cref="AutoNatClientOptions.ResultWindow"/> servers is kept; an address is
/// <see cref="Reachability.Public"/> once <see cref="AutoNatClientOptions.Confirmations"/> of
/// them succeeded and successes outnumber failures, <see cref="Reachability.Private"/> the other
/// way round, and keeps its verdict until the window says otherwise — so one lying or flaky
/// server never flips it. A plain state machine: no I/O, no clock.
/// </summary>
public sealed class AddressConfidence(AutoNatClientOptions options)
{
    private readonly Dictionary<Multiaddr, Entry> _addresses = [];

    /// <summary>Each address's verdict.</summary>
    public IReadOnlyDictionary<Multiaddr, Reachability> Verdicts
    {
        get
        {
            lock (_addresses)
            {
                return _addresses.ToDictionary(static p => p.Key, static p => p.Value.Verdict);
            }
        }
    }

    /// <summary>Public if any address is; Private if every judged address is and at least one was judged; else Unknown.</summary>
    public Reachability Overall
    {
        get
        {
            lock (_addresses)
            {
                if (_addresses.Values.Any(static e => e.Verdict == Reachability.Public))
                {
                    return Reachability.Public;
                }
                return _addresses.Count > 0 && _addresses.Values.All(static e => e.Verdict == Reachability.Private)
                    ? Reachability.Private
                    : Reachability.Unknown;
            }
        }
    }

    /// <summary>Whether <paramref name="server"/> has already reported on <paramref name="address"/>.</summary>
    public bool HasResultFrom(Multiaddr address, PeerId server)
    {
        lock (_addresses)
        {
            return _addresses.TryGetValue(address, out Entry? e) && e.Results.Exists(r => r.Server.Equals(server));
        }
    }

    public Reachability VerdictOf(Multiaddr address)
    {
        lock (_addresses)
        {
            return _addresses.TryGetValue(address, out Entry? e) ? e.Verdict : Reachability.Unknown;
        }
    }

    /// <summary>Records one server's dial outcome; returns the address's verdict after it.</summary>
    public Reachability Record(Multiaddr address, PeerId server, bool dialable)
    {
        lock (_addresses)
        {
            if (!_addresses.TryGetValue(address, out Entry? e))
            {
                _addresses[address] = e = new Entry();
            }
            e.Results.RemoveAll(r => r.Server.Equals(server));
            e.Results.Add((server, dialable));
            if (e.Results.Count > options.ResultWindow)
            {
                e.Results.RemoveAt(0);
            }
            int ok = e.Results.Count(static r => r.Dialable);
            int failed = e.Results.Count - ok;
            if (ok >= options.Confirmations && ok > failed)
            {
                e.Verdict = Reachability.Public;
            }
            else if (failed >= options.Confirmations && failed > ok)
            {
                e.Verdict = Reachability.Private;
            }
            return e.Verdict;
        }
    }

    /// <summary>Forgets addresses we no longer have.</summary>
    public void RetainOnly(IReadOnlyCollection<Multiaddr> current)
    {
        lock (_addresses)
        {
            foreach (Multiaddr gone in _addresses.Keys.Where(a => !current.Contains(a)).ToArray())
            {
                _addresses.Remove(gone);
            }
        }
    }

    private sealed class Entry
    {
        public List<(PeerId Server, bool Dialable)> Results { get; } = [];

        public Reachability Verdict { get; set; }
    }
}

using System.Net;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Relay.Protobuf;

namespace Nnrp.Libp2p.Relay;

/// <summary>
/// The relay's reservations (circuit-v2.md "Reservation"): at most one per peer (a second
/// RESERVE refreshes it), at most <see cref="RelayServiceOptions.MaxReservations"/> in all and
/// <see cref="RelayServiceOptions.MaxReservationsPerIp"/> per address, each valid for
/// <see cref="RelayServiceOptions.ReservationTtl"/>. Pure state, fed the time: no I/O.
/// </summary>
internal sealed class ReservationTable(RelayServiceOptions options)
{
    private readonly Dictionary<PeerId, Entry> _entries = [];
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Grants or refreshes <paramref name="peer"/>'s reservation, made from <paramref name="address"/>;
    /// returns <see cref="Status.Ok"/> with the expiry, or <see cref="Status.ReservationRefused"/>.
    /// </summary>
    public Status TryReserve(PeerId peer, IPAddress? address, DateTimeOffset now, out DateTimeOffset expires)
    {
        expires = default;
        lock (_gate)
        {
            Prune(now);
            bool refresh = _entries.TryGetValue(peer, out Entry? held);
            if (!refresh)
            {
                if (_entries.Count >= options.MaxReservations)
                {
                    return Status.ReservationRefused;
                }
                if (address is not null && _entries.Values.Count(e => address.Equals(e.Address)) >= options.MaxReservationsPerIp)
                {
                    return Status.ReservationRefused;
                }
            }
            // A refresh from another address counts there from now on, within that address's cap.
            else if (address is not null && !address.Equals(held!.Address)
                && _entries.Values.Count(e => address.Equals(e.Address)) >= options.MaxReservationsPerIp)
            {
                return Status.ReservationRefused;
            }
            // Whole seconds: the voucher and the Reservation carry Unix seconds.
            expires = DateTimeOffset.FromUnixTimeSeconds((now + options.ReservationTtl).ToUnixTimeSeconds());
            _entries[peer] = new Entry(address, expires);
            return Status.Ok;
        }
    }

    /// <summary>Whether <paramref name="peer"/> holds a reservation that has not expired.</summary>
    public bool Has(PeerId peer, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(peer, out Entry? e) && e.Expires > now;
        }
    }

    /// <summary>Drops the reservation (its peer disconnected: spec "the reservation is no longer valid").</summary>
    public bool Remove(PeerId peer)
    {
        lock (_gate)
        {
            return _entries.Remove(peer);
        }
    }

    /// <summary>Drops every reservation (the relay stopped serving) and names their peers.</summary>
    public PeerId[] Clear()
    {
        lock (_gate)
        {
            PeerId[] peers = [.. _entries.Keys];
            _entries.Clear();
            return peers;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (PeerId stale in _entries.Where(kv => kv.Value.Expires <= now).Select(static kv => kv.Key).ToArray())
        {
            _entries.Remove(stale);
        }
    }

    private sealed record Entry(IPAddress? Address, DateTimeOffset Expires);
}

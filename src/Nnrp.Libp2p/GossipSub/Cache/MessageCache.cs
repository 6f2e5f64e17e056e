using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub.Cache;

/// <summary>
/// gossipsub-v1.0.md "Message Cache": validated messages in <c>history_length</c> heartbeat
/// windows. IHAVE gossip names the ids of the newest <c>history_gossip</c> windows; IWANT is
/// answered from every window. v1.1 "Spam Protection Measures": a peer gets one message at most
/// <c>gossip_retransmission</c> times through IWANT.
/// </summary>
internal sealed class MessageCache
{
    private readonly Dictionary<MessageId, Entry> _messages = [];
    private readonly LinkedList<List<(MessageId Id, string Topic)>> _windows = new();
    private readonly int _gossipWindows;

    public MessageCache(int historyLength, int gossipWindows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historyLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(gossipWindows, historyLength);
        _gossipWindows = gossipWindows;
        for (int i = 0; i < historyLength; i++)
        {
            _windows.AddLast([]);
        }
    }

    public int Count => _messages.Count;

    /// <summary>Adds a message to the current window; false when the id is already cached.</summary>
    public bool Put(MessageId id, Message message)
    {
        if (!_messages.TryAdd(id, new Entry(message)))
        {
            return false;
        }
        _windows.First!.Value.Add((id, message.Topic));
        return true;
    }

    public bool TryGet(MessageId id, out Message message)
    {
        if (_messages.TryGetValue(id, out Entry? entry))
        {
            message = entry.Message;
            return true;
        }
        message = null!;
        return false;
    }

    /// <summary>
    /// Looks a message up for an IWANT from <paramref name="peer"/>; false when it is gone or
    /// the peer already asked for it <paramref name="maxTransmissions"/> times.
    /// </summary>
    public bool TryGetForPeer(MessageId id, PeerId peer, int maxTransmissions, out Message message)
    {
        message = null!;
        if (!_messages.TryGetValue(id, out Entry? entry))
        {
            return false;
        }
        entry.Transmissions ??= [];
        int count = entry.Transmissions.GetValueOrDefault(peer);
        if (count >= maxTransmissions)
        {
            return false;
        }
        entry.Transmissions[peer] = count + 1;
        message = entry.Message;
        return true;
    }

    /// <summary>Ids of <paramref name="topic"/> in the gossip windows, newest first.</summary>
    public List<MessageId> GetGossipIds(string topic)
    {
        var ids = new List<MessageId>();
        int window = 0;
        for (LinkedListNode<List<(MessageId Id, string Topic)>>? node = _windows.First; node is not null && window < _gossipWindows; node = node.Next, window++)
        {
            foreach ((MessageId id, string t) in node.Value)
            {
                if (t == topic)
                {
                    ids.Add(id);
                }
            }
        }
        return ids;
    }

    /// <summary>Heartbeat: drops the oldest window and opens a new one.</summary>
    public void Shift()
    {
        List<(MessageId Id, string Topic)> oldest = _windows.Last!.Value;
        _windows.RemoveLast();
        foreach ((MessageId id, _) in oldest)
        {
            _messages.Remove(id);
        }
        oldest.Clear();
        _windows.AddFirst(oldest);
    }

    private sealed class Entry(Message message)
    {
        public Message Message { get; } = message;

        public Dictionary<PeerId, int>? Transmissions { get; set; }
    }
}

using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad.Protobuf;
using Nnrp.Libp2p.Kad.Providers;
using Nnrp.Libp2p.Kad.Records;
using Nnrp.Libp2p.Kad.RoutingTable;
using MessageType = Nnrp.Libp2p.Kad.Protobuf.Message.Types.MessageType;
using Nnrp.Libp2p.Limits;

namespace Nnrp.Libp2p.Kad;

/// <summary>
/// The answering side (server mode). kad-dht/README.md "RPC messages": "Implementations must
/// handle additional RPC request messages on an incoming stream", so one stream is served until
/// the peer closes it, sits idle too long, breaks a rule or exceeds its request rate; the last
/// three reset the stream with a logged reason.
/// </summary>
internal sealed class KadRequestHandler(
    Libp2pHost host,
    KadRoutingTable table,
    IProviderStore providers,
    IRecordValidator validator,
    KadOptions options,
    KadRpc rpc,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>PUT_VALUE records kept in memory; only namespaces a validator accepts ever get here.</summary>
    public const int MaxRecords = 1024;

    private readonly PeerRateLimiter _limiter = new(options.RequestsPerPeerPerSecond, options.RequestBurstPerPeer, time);
    private readonly RefusedProviderPeers _refused = new(time);
    private readonly ProviderRanking _ranking = new(host.PeerId.Bytes, options.ProviderPolicy);
    private readonly ConcurrentDictionary<string, Protobuf.Record> _records = new(StringComparer.Ordinal);

    public async Task HandleAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        PeerId remote = stream.RemotePeer;
        try
        {
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                idle.CancelAfter(options.InboundIdleTimeout);
                Message? request = await KadCodec.ReadAsync(stream.Input, options.MaxMessageSize, idle.Token);
                if (request is null)
                {
                    return;
                }
                if (!_limiter.TryAcquire(remote))
                {
                    Log.RateLimited(logger, remote.ToString());
                    stream.Reset();
                    return;
                }
                NoteRequester(remote);
                Message? response = Answer(request, remote, stream.Connection.RemoteAddress);
                if (response is not null)
                {
                    await KadCodec.WriteAsync(stream.Output, response, idle.Token);
                }
            }
        }
        catch (ProtocolViolationException ex)
        {
            Log.InboundViolation(logger, remote.ToString(), ex.Message);
            stream.Reset();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.InboundViolation(logger, remote.ToString(), $"idle for {options.InboundIdleTimeout}");
            stream.Reset();
        }
        catch (IOException ex)
        {
            Log.RequestFailed(logger, remote.ToString(), ex.Message);
            stream.Reset();
        }
    }

    /// <summary>Builds the answer to one request; null for ADD_PROVIDER, which has none.</summary>
    internal Message? Answer(Message request, PeerId remote, Multiaddr? remoteAddress)
    {
        switch (request.Type)
        {
            case MessageType.Ping:
                return new Message { Type = MessageType.Ping };
            case MessageType.FindNode:
                return WithCloserPeers(new Message { Type = MessageType.FindNode, Key = request.Key }, request.Key, remote);
            case MessageType.GetProviders:
                RequireKey(request);
                var answer = new Message { Type = MessageType.GetProviders, Key = request.Key };
                IReadOnlyList<ProviderRecord> held = providers.Get(request.Key.Span, time.GetUtcNow(), providers.MaxProvidersPerKey);
                foreach (ProviderRecord record in _ranking.Order(held, options.MaxProvidersPerResponse))
                {
                    answer.ProviderPeers.Add(KadCodec.ToWire(record.Provider));
                }
                return WithCloserPeers(answer, request.Key, remote);
            case MessageType.AddProvider:
                AddProviders(request, remote, remoteAddress);
                return null;
            case MessageType.PutValue:
                return PutValue(request);
            case MessageType.GetValue:
                RequireKey(request);
                validator.ValidateKey(request.Key.Span);
                var value = new Message { Type = MessageType.GetValue, Key = request.Key };
                if (_records.TryGetValue(request.Key.ToBase64(), out Protobuf.Record? stored))
                {
                    value.Record = stored;
                }
                return WithCloserPeers(value, request.Key, remote);
            default:
                throw new KadProtocolException($"unknown Kad message type {request.Type}");
        }
    }

    private Message WithCloserPeers(Message answer, ByteString key, PeerId remote)
    {
        KadKey target = KadKey.Hash(key.Span);
        KadKey requester = KadKey.Hash(remote.Bytes.Span);
        foreach (KadPeer peer in table.NearestPeers(target, table.Options.BucketSize + 1))
        {
            if (peer.Key != requester && answer.CloserPeers.Count < table.Options.BucketSize)
            {
                answer.CloserPeers.Add(KadCodec.ToWire(peer));
            }
        }
        return answer;
    }

    /// <summary>
    /// kad-dht/README.md "Content routing": store the provider entries "that match the RPC
    /// sender's PeerID" — others are ignored. The key must be a multihash (a CID's hash) that the
    /// provider policy accepts (NNRP.md §14.2: shard keys only), an entry whose addresses are all
    /// garbage or unroutable is refused (issue 3 §8), and the store's quotas decide the rest.
    /// A refused record is not an error of the stream (another DHT may provide other keys); it is
    /// logged once per peer per <see cref="RefusedProviderPeers.Window"/>.
    /// </summary>
    private void AddProviders(Message request, PeerId remote, Multiaddr? remoteAddress)
    {
        RequireKey(request);
        if (Identity.Multihash.Validate(request.Key.Span) is { } bad)
        {
            throw new KadProtocolException("ADD_PROVIDER key is not a multihash: " + bad);
        }
        if (!options.ProviderPolicy.AcceptsKey(request.Key.Span))
        {
            Refused(remote, "the key is not one this network provides");
            return;
        }
        DateTimeOffset now = time.GetUtcNow();
        var admission = new ProviderAdmission(KadAddresses.SubnetOf(remoteAddress), _ranking.IsVerified);
        foreach (Message.Types.Peer entry in request.ProviderPeers)
        {
            if (!entry.Id.Span.SequenceEqual(remote.Bytes.Span))
            {
                Refused(remote, "provider entry names another peer");
                continue;
            }
            KadPeer provider = KadCodec.ReadPeer(entry, a => KadAddresses.IsUsable(a, options.AllowPrivateAddresses), out int dropped);
            if (provider.Addresses.Count == 0 && dropped > 0)
            {
                Refused(remote, $"all {dropped} addresses are unroutable or garbage");
                continue;
            }
            if (provider.Addresses.Count == 0 && remoteAddress is not null && KadAddresses.IsUsable(remoteAddress, options.AllowPrivateAddresses))
            {
                provider = provider.WithAddresses([remoteAddress.WithoutPeerId()]);
            }
            ProviderAddResult result = providers.Add(request.Key.Span, provider, now + options.ProviderTtl, now, admission);
            switch (result)
            {
                case ProviderAddResult.Added or ProviderAddResult.Renewed:
                    options.ProviderPolicy.Stored(provider);
                    break;
                case ProviderAddResult.KeyFull:
                    Refused(remote, $"the key has {providers.Quotas.MaxProvidersPerKey} providers, all verified");
                    break;
                case ProviderAddResult.SubnetFull:
                    Refused(remote, $"the key has {providers.Quotas.MaxProvidersPerKeyPerSubnet} verified providers from the sender's network");
                    break;
                case ProviderAddResult.PeerQuotaFull:
                    Refused(remote, $"the peer already provides {providers.Quotas.MaxKeysPerProvider} keys");
                    break;
                default:
                    Refused(remote, $"the provider store is full ({providers.Count} records, {providers.Bytes} bytes)");
                    break;
            }
        }
    }

    private void Refused(PeerId remote, string reason)
    {
        if (_refused.ShouldLog(remote))
        {
            Log.ProviderRefused(logger, remote.ToString(), reason, RefusedProviderPeers.Window);
        }
    }

    private Message PutValue(Message request)
    {
        RequireKey(request);
        if (request.Record is null || !request.Record.Key.Equals(request.Key))
        {
            throw new KadProtocolException("PUT_VALUE record is missing or its key differs from the message key");
        }
        try
        {
            validator.Validate(request.Key.Span, request.Record.Value.Span);
        }
        catch (RecordRejectedException ex)
        {
            Log.RecordRefused(logger, ex.Message);
            throw;
        }
        string key = request.Key.ToBase64();
        if (_records.Count >= MaxRecords && !_records.ContainsKey(key))
        {
            throw new RecordRejectedException($"record store is full ({MaxRecords} records)");
        }
        _records[key] = new Protobuf.Record { Key = request.Key, Value = request.Record.Value, TimeReceived = time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture) };
        return request;
    }

    /// <summary>
    /// A peer that sends us requests joins the table only if it serves the DHT itself (identify
    /// lists the protocol): client-mode peers must never be handed out as closer peers.
    /// </summary>
    private void NoteRequester(PeerId remote)
    {
        if (!table.Contains(KadKey.Hash(remote.Bytes.Span)) && host.PeerStore.GetProtocols(remote).Contains(options.ProtocolId, StringComparer.Ordinal))
        {
            rpc.Answered(new KadPeer(remote.Bytes.Span, []));
        }
    }

    private static void RequireKey(Message request)
    {
        if (request.Key.IsEmpty)
        {
            throw new KadProtocolException($"{request.Type} without a key");
        }
    }
}

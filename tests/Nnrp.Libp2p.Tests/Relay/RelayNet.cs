using System.Buffers;
using System.IO.Pipelines;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Relay;
using Nnrp.Libp2p.Tests.Host;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.Relay;

/// <summary>
/// A relay host serving hop, a destination that reserves on it and echoes on <see cref="EchoProtocol"/>,
/// and a dialer: three real hosts on loopback TCP.
/// </summary>
public sealed class RelayNet : IAsyncDisposable
{
    public const string EchoProtocol = "/test/echo/1";

    private readonly Hosts _hosts = new();
    private readonly List<RelayClient> _clients = [];

    public Libp2pHost Relay { get; private set; } = null!;

    public RelayService Service { get; private set; } = null!;

    public async Task<RelayNet> StartRelayAsync(RelayServiceOptions? options = null, ConnectionLimits? limits = null)
    {
        Relay = await _hosts.StartAsync(limits, h => (Service = new RelayService(h, options)).Start());
        return this;
    }

    public Multiaddr RelayAddress => AddressOf(Relay);

    public Task<Libp2pHost> StartHostAsync() => _hosts.StartAsync();

    /// <summary>A host that serves <see cref="EchoProtocol"/> and holds a reservation on the relay.</summary>
    public async Task<(Libp2pHost Host, RelayClient Client, RelayReservation Reservation)> StartDestinationAsync()
    {
        Libp2pHost host = await _hosts.StartAsync(configure: h => h.SetStreamHandler(EchoProtocol, EchoAsync));
        var client = new RelayClient(host);
        _clients.Add(client);
        RelayReservation reservation = await Within(client.ReserveAsync(RelayAddress, CancellationToken.None));
        return (host, client, reservation);
    }

    public static async Task EchoAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        await stream.Input.CopyToAsync(stream.Output, cancellationToken);
        stream.CloseWrite();
    }

    /// <summary>Writes <paramref name="payload"/>, half-closes, reads everything back.</summary>
    public static async Task<byte[]> RoundTripAsync(Libp2pStream stream, byte[] payload)
    {
        Task<byte[]> reading = ReadAllAsync(stream.Input);
        await stream.Output.WriteAsync(payload);
        stream.CloseWrite();
        return await Within(reading);
    }

    public static async Task<byte[]> ReadAllAsync(PipeReader input)
    {
        var all = new ArrayBufferWriter<byte>();
        while (true)
        {
            ReadResult result = await input.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                all.Write(segment.Span);
            }
            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return all.WrittenSpan.ToArray();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (RelayClient client in _clients)
        {
            await client.DisposeAsync();
        }
        await _hosts.DisposeAsync();
    }
}

namespace Nnrp.Libp2p.Kad;

public sealed partial class KadService
{
    private readonly Lock _modeLock = new();
    private KadMode? _mode;

    /// <summary>Whether the DHT answers requests now (starts as <see cref="KadOptions.Mode"/>).</summary>
    public KadMode Mode => _mode ?? _options.Mode;

    /// <summary>
    /// Switches between answering (server) and only asking (client) while running, as go-libp2p's
    /// DHT follows AutoNAT (NNRP.md §14.5). Registering or removing the protocol makes identify
    /// push the change, so peers add us to or drop us from their tables.
    /// </summary>
    public void SetMode(KadMode mode)
    {
        lock (_modeLock)
        {
            if (Mode == mode)
            {
                return;
            }
            _mode = mode;
            if (Volatile.Read(ref _state) == 1)
            {
                if (mode == KadMode.Server)
                {
                    _host.SetStreamHandler(_options.ProtocolId, _handler.HandleAsync);
                }
                else
                {
                    _host.RemoveStreamHandler(_options.ProtocolId);
                }
            }
        }
        Log.ModeChanged(_logger, mode);
    }
}

namespace Nnrp.Libp2p.Host;

/// <summary>
/// Serves one inbound stream whose protocol was agreed. The host disposes the stream (FIN,
/// or RST if the handler threw) once the returned task ends; the token fires at shutdown.
/// </summary>
public delegate Task StreamHandler(Libp2pStream stream, CancellationToken cancellationToken);

using Xunit.Abstractions;

namespace Nnrp.Interop;

// The same interop suites with every peer on the WebSocket transport (@libp2p/websockets
// 10.1.21 on the js side): identify, ping, echo, perf, /nnrp/1.0 and GossipSub over /ws, in
// both dial directions. Noise, Yamux and multistream-select run over it unchanged.

/// <summary><see cref="CSharpDialsJsTests"/> over <c>/ws</c>: we dial js-libp2p's WebSocket listener.</summary>
public sealed class CSharpDialsJsOverWebSocketTests(ITestOutputHelper output) : CSharpDialsJsTests(output)
{
    protected override string Listen => "/ip4/127.0.0.1/tcp/0/ws";
}

/// <summary><see cref="JsDialsCSharpTests"/> over <c>/ws</c>: js-libp2p dials our WebSocket listener.</summary>
public sealed class JsDialsCSharpOverWebSocketTests(ITestOutputHelper output) : JsDialsCSharpTests(output)
{
    protected override string Listen => "/ip4/127.0.0.1/tcp/0/ws";
}

/// <summary><see cref="NodeInteropTests"/> over <c>/ws</c>: /nnrp/1.0 publish and fetch and gossip with a node listening on WebSocket.</summary>
public sealed class NodeInteropOverWebSocketTests(ITestOutputHelper output) : NodeInteropTests(output)
{
    protected override string Listen => "/ip4/127.0.0.1/tcp/0/ws";
}

/// <summary><see cref="GossipSubInteropTests"/> over <c>/ws</c>, connections both ways.</summary>
public sealed class GossipSubInteropOverWebSocketTests(ITestOutputHelper output) : GossipSubInteropTests(output)
{
    protected override string Listen => "/ip4/127.0.0.1/tcp/0/ws";
}

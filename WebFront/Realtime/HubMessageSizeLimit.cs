using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using GoChat.Grains.Limits;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace GoChat.WebFront.Realtime;

/// <summary>
/// The hub's largest incoming message (GoChat:Limits:WebSocketMessageBytes, SignalR's
/// MaximumReceiveMessageSize). SignalR closes a connection that sends a larger one with only
/// "Connection closed with an error"; each protocol is wrapped so the close says why instead (a
/// message too large cannot be answered: its invocation id is inside what was not read).
/// </summary>
internal static class HubMessageSizeLimit
{
    /// <summary>Call after the protocols are added.</summary>
    public static ISignalRServerBuilder AddMessageSizeLimit(this ISignalRServerBuilder signalR)
    {
        var services = signalR.Services;
        foreach (var registered in services.Where(d => d.ServiceType == typeof(IHubProtocol) && d.ImplementationType is not null).ToList())
        {
            services.Remove(registered);
            services.AddSingleton<IHubProtocol>(sp => new SizeLimitedProtocol(
                (IHubProtocol)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!),
                sp.GetRequiredService<IOptions<LimitsOptions>>().Value.WebSocketMessageBytes));
        }
        return signalR;
    }

    /// <summary>
    /// SignalR hands the parser at most the limit's worth of bytes; a message that does not fit in
    /// them is over the limit.
    /// </summary>
    sealed class SizeLimitedProtocol(IHubProtocol inner, int maxBytes) : IHubProtocol
    {
        public string Name => inner.Name;
        public int Version => inner.Version;
        public TransferFormat TransferFormat => inner.TransferFormat;

        public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
        {
            if (inner.TryParseMessage(ref input, binder, out message)) return true;
            if (input.Length >= maxBytes)
                throw new HubException($"message too large: messages to the hub are limited to {maxBytes} bytes; the connection is closed");
            return false;
        }

        public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);
        public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);
        public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);
    }
}

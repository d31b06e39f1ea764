using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LLama;
using LLama.Abstractions;
using LLama.Common;
using LLama.Native;
using LLama.Transformers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace GoChat.Grains.Bots;

/// <summary>
/// A LLaMA-family GGUF file run in-process on LLamaSharp's CPU backend, behind the same
/// <see cref="IChatClient"/> as hosted models: loaded once at start-up, unloaded when the host
/// stops (<see cref="BotDirectory"/> disposes it).
/// </summary>
internal static class LocalModel
{
    static int _logsRouted;

    public static (IChatClient? Client, string? Unavailable, string? LogReason) Load(string name, BotSettings settings, ILogger logger)
    {
        var path = settings.ModelPath!;
        if (!File.Exists(path)) return (null, "its model file is missing", $"the model file {path} does not exist");
        // llama.cpp writes to stderr unless told otherwise; once per process, before its first use.
        if (Interlocked.Exchange(ref _logsRouted, 1) == 0)
            NativeLibraryConfig.All.WithLogCallback((level, message) => logger.LogDebug("llama.cpp: {Message}", message.TrimEnd()));
        try
        {
            var parameters = new ModelParams(path) { ContextSize = (uint)settings.ContextSize, GpuLayerCount = 0 };
            var weights = LLamaWeights.LoadFromFile(parameters);
            try
            {
                // The model's own chat template when it has one; else LLamaSharp's plain "User:/Assistant:" transcript.
                IHistoryTransform? template = weights.Metadata.ContainsKey("tokenizer.chat_template") ? new PromptTemplateTransformer(weights, withAssistant: true) : null;
                var executor = new StatelessExecutor(weights, parameters);
                return (new LocalModelClient(weights, executor.AsChatClient(template), settings.MaxParallelGenerations), null, null);
            }
            catch
            {
                weights.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (null, "its model file could not be loaded", $"the model file {path} could not be loaded ({e.GetType().Name}: {e.Message})");
        }
    }
}

/// <summary>
/// A loaded model, generating at most <c>parallel</c> replies at once (each needs its own context's
/// memory; the others wait their turn). Generation is CPU work on a thread of its own, never on a
/// grain's thread; cancelling the enumeration stops it at the next token.
/// </summary>
internal sealed class LocalModelClient(LLamaWeights weights, IChatClient inner, int parallel) : IChatClient
{
    readonly SemaphoreSlim _turns = new(parallel, parallel);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await _turns.WaitAsync(cancellationToken);
        using var generation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tokens = Channel.CreateBounded<ChatResponseUpdate>(new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true });
        var producing = Task.Run(async () =>
        {
            try
            {
                await foreach (var update in inner.GetStreamingResponseAsync(messages, options, generation.Token))
                    await tokens.Writer.WriteAsync(update, generation.Token);
                tokens.Writer.TryComplete();
            }
            catch (Exception e)
            {
                tokens.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var update in tokens.Reader.ReadAllAsync(cancellationToken)) yield return update;
            yield return new ChatResponseUpdate { Role = ChatRole.Assistant, FinishReason = ChatFinishReason.Stop };
        }
        finally
        {
            // The next generation may start only once this one has let go of the model.
            generation.Cancel();
            await producing;
            _turns.Release();
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() => weights.Dispose();
}

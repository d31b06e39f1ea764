using System.Text;

namespace GoChat.Tests.Bots;

/// <summary>
/// Writes a tiny LLaMA model as a GGUF file (format version 3): random weights, two layers, 64
/// wide, and a SentencePiece-style vocabulary (the three specials, the 256 byte tokens llama.cpp
/// requires, and a few dozen words) with the tokenizer metadata llama.cpp needs to load it. It
/// talks gibberish, but it loads, generates and streams like a real one, in well under a second.
/// </summary>
public static class TinyLlamaGguf
{
    const int Embedding = 64;
    const int Layers = 2;
    const int FeedForward = 128;
    const int Heads = 4;
    const int ContextLength = 1024;
    const uint Alignment = 32;

    static readonly string[] Words =
    [
        "hello", "world", "the", "a", "chat", "bot", "answer", "question", "yes", "no", "maybe", "today", "tomorrow", "good",
        "bad", "llama", "model", "token", "stream", "reply", "stop", "go", "red", "blue", "green", "one", "two", "three",
    ];

    public static void Write(string path, int seed = 7)
    {
        var tokens = new List<(string Text, float Score, int Type)> { ("<unk>", 0, 2), ("<s>", 0, 3), ("</s>", 0, 3) };
        for (var b = 0; b < 256; b++) tokens.Add(($"<0x{b:X2}>", 0, 6));
        tokens.AddRange(Words.Select((w, i) => ("\u2581" + w, -1f - i * 0.01f, 1)));
        tokens.AddRange("abcdefghijklmnopqrstuvwxyz".Select((c, i) => (c.ToString(), -5f - i * 0.01f, 1)));
        tokens.Add(("\u2581", -4f, 1));
        var vocabulary = tokens.Count;

        var random = new Random(seed);
        var tensors = new List<(string Name, long[] Shape, float[] Data)>();
        float[] Random(long count, float scale) => Enumerable.Range(0, (int)count).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
        float[] Ones(long count) => Enumerable.Repeat(1f, (int)count).ToArray();
        void Add(string name, float[] data, params long[] shape) => tensors.Add((name, shape, data));

        Add("token_embd.weight", Random(Embedding * vocabulary, 0.5f), Embedding, vocabulary);
        for (var layer = 0; layer < Layers; layer++)
        {
            var p = $"blk.{layer}.";
            Add(p + "attn_norm.weight", Ones(Embedding), Embedding);
            Add(p + "attn_q.weight", Random(Embedding * Embedding, 0.2f), Embedding, Embedding);
            Add(p + "attn_k.weight", Random(Embedding * Embedding, 0.2f), Embedding, Embedding);
            Add(p + "attn_v.weight", Random(Embedding * Embedding, 0.2f), Embedding, Embedding);
            Add(p + "attn_output.weight", Random(Embedding * Embedding, 0.2f), Embedding, Embedding);
            Add(p + "ffn_norm.weight", Ones(Embedding), Embedding);
            Add(p + "ffn_gate.weight", Random(Embedding * FeedForward, 0.2f), Embedding, FeedForward);
            Add(p + "ffn_up.weight", Random(Embedding * FeedForward, 0.2f), Embedding, FeedForward);
            Add(p + "ffn_down.weight", Random(FeedForward * Embedding, 0.2f), FeedForward, Embedding);
        }
        Add("output_norm.weight", Ones(Embedding), Embedding);
        Add("output.weight", Random(Embedding * vocabulary, 1f), Embedding, vocabulary);

        using var file = File.Create(path);
        using var w = new BinaryWriter(file, Encoding.UTF8);
        w.Write("GGUF"u8);
        w.Write(3u);
        w.Write((ulong)tensors.Count);
        var metadata = new List<Action>
        {
            () => String("general.architecture", "llama"),
            () => String("general.name", "GoChat test tiny llama"),
            () => UInt32("llama.context_length", ContextLength),
            () => UInt32("llama.embedding_length", Embedding),
            () => UInt32("llama.block_count", Layers),
            () => UInt32("llama.feed_forward_length", FeedForward),
            () => UInt32("llama.attention.head_count", Heads),
            () => UInt32("llama.attention.head_count_kv", Heads),
            () => UInt32("llama.rope.dimension_count", Embedding / Heads),
            () => Float32("llama.attention.layer_norm_rms_epsilon", 1e-5f),
            () => UInt32("general.alignment", Alignment),
            () => String("tokenizer.ggml.model", "llama"),
            () => Array("tokenizer.ggml.tokens", 8, tokens, t => Str(t.Text)),
            () => Array("tokenizer.ggml.scores", 6, tokens, t => w.Write(t.Score)),
            () => Array("tokenizer.ggml.token_type", 5, tokens, t => w.Write(t.Type)),
            () => UInt32("tokenizer.ggml.unknown_token_id", 0),
            () => UInt32("tokenizer.ggml.bos_token_id", 1),
            () => UInt32("tokenizer.ggml.eos_token_id", 2),
        };
        w.Write((ulong)metadata.Count);
        foreach (var write in metadata) write();

        ulong offset = 0;
        foreach (var (name, shape, data) in tensors)
        {
            Str(name);
            w.Write((uint)shape.Length);
            foreach (var dim in shape) w.Write((ulong)dim);
            w.Write(0u); // GGML_TYPE_F32
            w.Write(offset);
            offset = Align(offset + (ulong)data.Length * 4);
        }
        Pad();
        var dataStart = (ulong)file.Position;
        foreach (var (_, _, data) in tensors)
        {
            foreach (var value in data) w.Write(value);
            Pad();
        }
        _ = dataStart;

        void Str(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            w.Write((ulong)bytes.Length);
            w.Write(bytes);
        }
        void Key(string key, uint type)
        {
            Str(key);
            w.Write(type);
        }
        void String(string key, string value)
        {
            Key(key, 8);
            Str(value);
        }
        void UInt32(string key, uint value)
        {
            Key(key, 4);
            w.Write(value);
        }
        void Float32(string key, float value)
        {
            Key(key, 6);
            w.Write(value);
        }
        void Array<T>(string key, uint elementType, IReadOnlyCollection<T> items, Action<T> item)
        {
            Key(key, 9);
            w.Write(elementType);
            w.Write((ulong)items.Count);
            foreach (var i in items) item(i);
        }
        void Pad()
        {
            while (file.Position % Alignment != 0) w.Write((byte)0);
        }
    }

    static ulong Align(ulong value) => (value + Alignment - 1) / Alignment * Alignment;
}

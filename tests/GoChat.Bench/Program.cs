using GoChat.Bench;
using GoChat.Bench.Baseline;

if (args.Contains(BaselineServer.ServeFlag))
{
    await BaselineServer.RunAsync(args);
    return 0;
}
return await BenchRun.RunAsync(BenchOptions.Parse(args));

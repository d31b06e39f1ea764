using System.Diagnostics;
using GoChat.Tests.Infrastructure;
using k8s;
using k8s.Models;

namespace GoChat.Tests.Deploy;

/// <summary>
/// deploy/k8s, checked without a cluster: every overlay renders with kubectl kustomize; every object
/// loads into the Kubernetes API types with no unknown field (KubernetesClient, strict) and passes the
/// schema of its kind (types, required fields, formats: kubernetes-models, generated from Kubernetes'
/// OpenAPI document); and the Deployments say what GoChat needs (ports, env, probes, grace, rollout).
/// </summary>
public sealed class KubernetesTests
{
    static readonly string SchemaChecker = Path.Combine(Repository.PathOf("tests/GoChat.Tests/Deploy/k8s-schema"));
    static readonly Lazy<Task> SchemaCheckerInstalled = new(() => RunChecked("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], SchemaChecker));

    static string[] OverlayNames() =>
        Directory.GetDirectories(Repository.PathOf("deploy/k8s/overlays")).Select(d => Path.GetFileName(d)).Order().ToArray();

    public static TheoryData<string> Overlays() => new(OverlayNames());

    [Fact]
    public void There_are_a_development_and_a_production_overlay()
    {
        Assert.Equal(["dev", "production"], OverlayNames());
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_object_an_overlay_renders_validates_against_the_Kubernetes_schemas(string overlay)
    {
        var rendered = await Render(overlay);
        var objects = KubernetesYaml.LoadAllFromString(rendered, strict: true);
        Assert.Contains(objects, o => o is V1Deployment);

        await SchemaCheckerInstalled.Value;
        var (exit, output) = await Run("node", ["validate.mjs"], SchemaChecker, rendered);
        Assert.True(exit == 0, output);
        Assert.Equal(objects.Count, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("valid ")));

        // Both checks have teeth: a misspelt field, and a field of the wrong type.
        var misspelt = rendered.Replace("readinessProbe:", "readynessProbe:");
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(misspelt, strict: true));
        var mistyped = rendered.Replace("terminationGracePeriodSeconds: 45", "terminationGracePeriodSeconds: forty-five");
        Assert.NotEqual(0, (await Run("node", ["validate.mjs"], SchemaChecker, mistyped)).ExitCode);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_Deployments_advertise_the_pod_IP_probe_the_right_endpoints_drain_before_the_kill_and_roll_without_losing_a_pod(string overlay)
    {
        var objects = KubernetesYaml.LoadAllFromString(await Render(overlay), strict: true);
        var secrets = objects.OfType<V1Secret>().ToList();
        var images = new HashSet<string>();
        foreach (var (name, role) in new[] { ("gochat-webfront", "webfront"), ("gochat-silo", "silo") })
        {
            var deployment = Assert.Single(objects.OfType<V1Deployment>(), d => d.Metadata.Name == name);
            var pod = deployment.Spec.Template.Spec;
            var container = Assert.Single(pod.Containers);
            images.Add(container.Image);
            string? Env(string key) => container.Env.SingleOrDefault(e => e.Name == key)?.Value;
            V1EnvVarSource? EnvFrom(string key) => container.Env.SingleOrDefault(e => e.Name == key)?.ValueFrom;

            Assert.Equal(role, Env("GOCHAT_ROLE"));
            // The Ingress controller's X-Forwarded-* are believed from the pod networks only (docs/security.md).
            if (role == "webfront") Assert.Contains("10.0.0.0/8", Env("GoChat__ForwardedHeaders__KnownNetworks"));
            Assert.Equal("status.podIP", EnvFrom("GoChat__Silo__AdvertisedIP")?.FieldRef?.FieldPath);
            var database = EnvFrom("ConnectionStrings__GoChat")?.SecretKeyRef;
            Assert.Equal("connectionString", database?.Key);
            // By reference: a Secret of the operator's (production), or the one the overlay generates (its hashed name).
            Assert.True(secrets.Count == 0 ? database!.Name == "gochat-database" : secrets.Any(s => s.Metadata.Name == database!.Name), $"{name}: secret {database?.Name}");

            var http = Assert.Single(container.Ports, p => p.Name == "http");
            Assert.Equal(Env("ASPNETCORE_HTTP_PORTS"), http.ContainerPort.ToString());
            Assert.Equal(Env("GoChat__Silo__Port"), Assert.Single(container.Ports, p => p.Name == "silo").ContainerPort.ToString());
            foreach (var (probe, path) in new[] { (container.StartupProbe, "/healthz"), (container.LivenessProbe, "/healthz"), (container.ReadinessProbe, "/readyz") })
            {
                Assert.Equal(path, probe?.HttpGet?.Path);
                Assert.Equal("http", probe!.HttpGet.Port.Value);
            }
            // The startup probe gives a first start (migrations, joining the cluster) minutes.
            Assert.True((container.StartupProbe.PeriodSeconds ?? 10) * (container.StartupProbe.FailureThreshold ?? 3) >= 120, $"{name}: startup probe too short");

            // Killed only after the preStop pause and the host's own shutdown timeout have both run out.
            var preStop = container.Lifecycle.PreStop.Exec.Command;
            Assert.Equal("sleep", preStop[0]);
            var drain = TimeSpan.FromSeconds(int.Parse(preStop[1]) + int.Parse(Env("DOTNET_SHUTDOWNTIMEOUTSECONDS")!));
            Assert.True(TimeSpan.FromSeconds(pod.TerminationGracePeriodSeconds ?? 30) > drain, $"{name}: terminationGracePeriodSeconds");

            Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
            Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
            Assert.False(container.Resources.Limits?.ContainsKey("cpu") ?? false, $"{name} has a CPU limit");
            Assert.True(container.Resources.Requests.ContainsKey("cpu"), $"{name} requests no CPU");
            Assert.True(pod.SecurityContext.RunAsNonRoot);

            var labels = deployment.Spec.Template.Metadata.Labels;
            var budget = Assert.Single(objects.OfType<V1PodDisruptionBudget>(), b => b.Spec.Selector.MatchLabels.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value));
            Assert.True(budget.Spec.MaxUnavailable is not null || budget.Spec.MinAvailable is not null);
        }
        Assert.Single(images); // one image, two roles

        var service = Assert.Single(objects.OfType<V1Service>(), s => s.Metadata.Name == "gochat-webfront");
        Assert.Equal("http", Assert.Single(service.Spec.Ports).TargetPort.Value);
        Assert.Equal("webfront", service.Spec.Selector["app.kubernetes.io/component"]);
    }

    [Fact]
    public async Task Production_runs_several_of_each_behind_an_Ingress_that_keeps_a_SignalR_client_on_one_pod()
    {
        var objects = KubernetesYaml.LoadAllFromString(await Render("production"), strict: true);
        Assert.True(objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "gochat-webfront").Spec.Replicas >= 2);
        Assert.True(objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "gochat-silo").Spec.Replicas >= 2);
        Assert.DoesNotContain(objects.OfType<V1Deployment>(), d => d.Spec.Template.Spec.Containers[0].Image.EndsWith(":latest"));
        Assert.Empty(objects.OfType<V1Secret>()); // the database's connection string is the operator's Secret, not in the repository

        var ingress = Assert.Single(objects.OfType<V1Ingress>());
        Assert.Equal("cookie", ingress.Metadata.Annotations["nginx.ingress.kubernetes.io/affinity"]);
        Assert.True(int.Parse(ingress.Metadata.Annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600);
        Assert.NotEmpty(ingress.Spec.Tls);
        Assert.Equal("gochat-webfront", ingress.Spec.Rules.Single().Http.Paths.Single().Backend.Service.Name);
    }

    static async Task<string> Render(string overlay)
    {
        var (exit, output) = await Run("kubectl", ["kustomize", Repository.PathOf($"deploy/k8s/overlays/{overlay}")], Repository.Root);
        Assert.True(exit == 0, $"kubectl kustomize {overlay}:\n{output}");
        return output;
    }

    static async Task RunChecked(string program, string[] args, string workingDirectory)
    {
        var (exit, output) = await Run(program, args, workingDirectory);
        if (exit != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)}:\n{output}");
    }

    static async Task<(int ExitCode, string Output)> Run(string program, string[] args, string workingDirectory, string? input = null)
    {
        var start = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"{program} is missing: run 'bash deploy/prerequisites.sh --tests'");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (input is not null) await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            // kubectl kustomize writes the objects to stdout only: keep stderr apart from them.
            var output = await stdout;
            var errors = await stderr;
            return (process.ExitCode, process.ExitCode == 0 ? output : output + errors);
        }
    }
}

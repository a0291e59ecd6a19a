using BenchmarkDotNet.Running;

// Usage: dotnet run -c Release --project bench/PSSocketFtp.Benchmarks -- --filter '*' [--job short]
// Every class reports allocated bytes per operation ([MemoryDiagnoser]); see docs/performance.md, "Micro-benchmarks".
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

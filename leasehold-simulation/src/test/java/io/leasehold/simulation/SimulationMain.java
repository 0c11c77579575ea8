package io.leasehold.simulation;

/**
 * Runs seeds outside Maven, for long hunts: {@code java -cp <test classpath>
 * io.leasehold.simulation.SimulationMain MODEL FIRST COUNT [THREADS]}, or {@code ... MODEL SEED} to
 * print one seed's report with its whole trace.
 */
final class SimulationMain {
  private SimulationMain() {}

  public static void main(String[] args) throws Exception {
    Model model = Models.named(args[0]);
    if (args.length == 2) {
      System.out.println(Simulation.report(Long.parseLong(args[1]), model, Integer.MAX_VALUE));
      return;
    }
    long first = Long.parseLong(args[1]);
    long count = Long.parseLong(args[2]);
    int threads =
        args.length > 3 ? Integer.parseInt(args[3]) : Runtime.getRuntime().availableProcessors();
    Simulation.Summary s = Simulation.runMany(first, count, model, threads);
    System.out.println(s.describe());
    for (Simulation.Result r : s.failures()) {
      System.out.println("seed " + r.scenario().seed + ": " + r.problem());
    }
  }
}

package io.leasehold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/leasehold} builds the jar on first use quietly: Maven 3.8 writes colour codes even in
 * batch mode, and none reach the terminal. Runs the real script in a copy of the project's layout,
 * with stand-ins for {@code mvn} and {@code java} that behave as Maven 3.8.7 does.
 */
class LauncherScriptTest {
  private static final String ESC = "\u001b";

  @TempDir Path root;

  private Process launch(String mvnBody) throws Exception {
    Path bin = Files.createDirectories(root.resolve("bin"));
    executable(bin.resolve("leasehold"), Files.readString(Path.of("..", "bin", "leasehold")));
    Path fake = Files.createDirectories(root.resolve("fake"));
    executable(fake.resolve("mvn"), "#!/bin/sh\n" + mvnBody);
    executable(fake.resolve("java"), "#!/bin/sh\necho \"java $*\"\n");
    ProcessBuilder pb = new ProcessBuilder(bin.resolve("leasehold").toString(), "--version");
    pb.environment().put("PATH", fake + ":/usr/bin:/bin");
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p;
  }

  private static void executable(Path file, String text) throws Exception {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static String read(java.io.InputStream in) throws Exception {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void aSuccessfulBuildPrintsOneLineAndNoEscapeCodes() throws Exception {
    Process p =
        launch(
            "printf '\\033[0m\\033[0m'\n"
                + "printf '\\033[0m\\033[0m' >&2\n"
                + "mkdir -p leasehold-cli/target && touch leasehold-cli/target/leasehold.jar\n");
    String out = read(p.getInputStream());
    String err = read(p.getErrorStream());
    assertThat(p.exitValue()).as(err).isZero();
    assertThat(err).isEqualTo("leasehold: building the CLI (first use or sources changed)...\n");
    assertThat(out).doesNotContain(ESC).contains("-jar").endsWith("leasehold.jar --version\n");
  }

  @Test
  void aFailedBuildShowsMavensOutputWithoutEscapeCodes() throws Exception {
    Process p =
        launch("printf '\\033[0m[ERROR] \\033[1;31mcompilation failed\\033[m\\n'\nexit 1\n");
    String err = read(p.getErrorStream());
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(err).contains("[ERROR] compilation failed").doesNotContain(ESC);
    assertThat(read(p.getInputStream())).as("java was not started").isEmpty();
  }
}

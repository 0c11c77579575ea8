package io.leasehold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SQLite file after {@code run} exits holds everything by itself, and {@code status} reads
 * without creating or writing anything, even where nothing may be written.
 */
class SqliteFilesTest {
  private static final Duration T = Duration.ofSeconds(60);

  @TempDir Path dir;

  private List<String> files(Path folder) throws Exception {
    try (Stream<Path> list = Files.list(folder)) {
      return list.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  /** A database whose lock "job" was held once, with fencing token 1, and released. */
  private Path database(Path folder) throws Exception {
    Path db = folder.resolve("leases.db");
    try (CliProcess run = Jobs.run(Map.of(), "sqlite:" + db, "alpha", "exit 0")) {
      assertThat(run.exitCode(T)).as(run.stderr()).isZero();
    }
    return db;
  }

  @Test
  void afterRunTheDatabaseFileAloneHoldsTheRecord() throws Exception {
    Path db = database(dir);
    assertThat(files(dir)).as("the WAL was checkpointed and removed").containsExactly("leases.db");

    Path copy = Files.createDirectory(dir.resolve("copy")).resolve("leases.db");
    Files.copy(db, copy);
    try (CliProcess status =
        CliProcess.start("status", "--lock", "sqlite:" + copy, "--name", "job", "--json")) {
      assertThat(status.exitCode(T)).as(status.stderr()).isZero();
      assertThat(status.stdout()).contains("\"state\":\"released\"").contains("\"fencingToken\":1");
    }
  }

  @Test
  void statusOfAFileThatDoesNotExistCreatesNothing() throws Exception {
    try (CliProcess status =
        CliProcess.start("status", "--lock", "sqlite:" + dir.resolve("none.db"), "--name", "job")) {
      assertThat(status.exitCode(T)).as(status.stderr()).isZero();
      assertThat(status.stdout()).contains("no record (nobody has competed yet)");
    }
    assertThat(files(dir)).isEmpty();
  }

  @Test
  void statusReadsADatabaseInAFolderNobodyMayWrite() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("ro"));
    Path db = database(folder);
    String[] args = {"status", "--lock", "sqlite:" + db, "--name", "job"};
    CliProcess status;
    if ("root".equals(System.getProperty("user.name"))) {
      // root may write anywhere a mode allows nobody to: make the folder a read-only mount
      String readOnly =
          "mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" \"$0\" && exec \"$@\"";
      status =
          CliProcess.startWrapped(
              List.of("unshare", "-m", "sh", "-c", readOnly, folder.toString()), Map.of(), args);
    } else {
      Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("r--r--r--"));
      Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
      status = CliProcess.start(args);
    }
    try (status) {
      assertThat(status.exitCode(T)).as(status.stderr()).isZero();
      assertThat(status.out)
          .anySatisfy(l -> assertThat(l).matches("state +released \\(no holder\\)"))
          .anySatisfy(l -> assertThat(l).matches("fencing token +1"));
    } finally {
      Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    assertThat(files(folder)).containsExactly("leases.db");
  }
}

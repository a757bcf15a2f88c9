// A full disk under the fault-location service's SQLite file (label `fault`,
// docs/robustness.md). The disk is simulated with RLIMIT_FSIZE in a forked child: writes past
// the limit fail (EFBIG) exactly as on a full file system, without root or a tmpfs mount
// (mounting needs CAP_SYS_ADMIN, which CI containers may not grant). The child fills the file
// until ingest fails; the parent checks the error was clear and the file is intact.

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "gridke/services/fault_location/fault_location_service.hpp"
#include "gridke/storage/sqlite.hpp"
#include "gridke_matchers.hpp"

namespace gridke::fault_testing {
namespace {

namespace fl = gridke::services::fault_location;
using ::testing::HasSubstr;

std::vector<fl::VoltageReading> minute_of(int n, fl::Timestamp t) {
  std::vector<fl::VoltageReading> out;
  for (int i = 0; i < n; ++i) out.push_back({"H" + std::to_string(i), t, 230.0});
  return out;
}

TEST(FullDisk, IngestFailsWithUnavailableAndTheStoreStaysIntact) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("gridke-full-disk-" + std::to_string(::getpid()) + ".sqlite");
  auto cleanup = [&] {
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + s);
  };
  cleanup();
  auto clock = std::make_shared<fl::ManualClock>(fl::from_epoch_ms(1'795'737'600'000LL));
  fl::ServiceOptions options;
  options.database_path = path.string();
  {
    auto service = fl::FaultLocationService::open(options, clock);
    ASSERT_THAT(service, IsOk());
    ASSERT_THAT((*service)->add_zone({"Z", "", 230.0, "r"}), IsOk());
    for (int i = 0; i < 500; ++i) {
      ASSERT_THAT((*service)->add_hems({"H" + std::to_string(i), "Z", std::nullopt, "isp"}),
                  IsOk());
    }
    ASSERT_THAT((*service)->ingest(minute_of(500, clock->now())), IsOk());
  }
  const auto size_before = std::filesystem::file_size(path);

  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The "disk" holds 256 KiB more than the file has now.
    ::signal(SIGXFSZ, SIG_IGN);
    const rlim_t limit = static_cast<rlim_t>(size_before + (256 << 10));
    rlimit rl{limit, limit};
    ::setrlimit(RLIMIT_FSIZE, &rl);
    auto service = fl::FaultLocationService::open(options, clock);
    std::string report = "no error";
    if (!service) {
      report = "open: " + service.error().to_string();
    } else {
      for (int m = 1; m <= 2000; ++m) {
        clock->advance(std::chrono::minutes(1));
        auto r = (*service)->ingest(minute_of(500, clock->now()));
        if (!r) {
          report =
              std::string(r.error().code() == ErrorCode::unavailable ? "unavailable|" : "other|") +
              r.error().message();
          break;
        }
      }
    }
    (void)!::write(pipe_fds[1], report.data(), report.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string report;
  char buf[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) report.append(buf, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  // A clear error: unavailable, naming the statement and SQLite's reason.
  EXPECT_THAT(report, HasSubstr("unavailable|"));
  EXPECT_THAT(report, HasSubstr("sqlite code"));

  // No corruption: the file passes integrity_check and everything committed is there.
  {
    auto db = storage::Database::open(path.string());
    ASSERT_THAT(db, IsOk());
    auto check = db->prepare("PRAGMA integrity_check");
    ASSERT_THAT(check, IsOk());
    ASSERT_THAT(check->step(), IsOk());
    EXPECT_EQ(check->column_text(0), "ok");
  }
  auto service = fl::FaultLocationService::open(options, clock);
  ASSERT_THAT(service, IsOk());
  auto v = (*service)->hems_voltages("H7", 10, std::nullopt);
  ASSERT_THAT(v, IsOk());
  EXPECT_FALSE(v->empty());
  // And the store accepts data again once there is room.
  EXPECT_THAT((*service)->ingest(minute_of(500, clock->now() + std::chrono::minutes(1))), IsOk());
  service->reset();
  cleanup();
}

}  // namespace
}  // namespace gridke::fault_testing

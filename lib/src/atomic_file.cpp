#include "atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

#include "wick/error.h"

namespace wick {
namespace {

void write_all(int fd, const void* data, size_t n, const std::string& path, const char* op) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    WICK_CHECK(w > 0, op, "writing '", path, "' failed: ", std::strerror(errno));
    p += w;
    n -= size_t(w);
  }
}

std::string directory_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Temporary files are named ".<target name>.wick-tmp.<host>.<pid>.<n>": unique across threads, processes and
// hosts sharing a directory, hidden from the globs a loader would use ("*.safetensors", "step-*"), and
// recognisable later, so that a following save can delete what a killed writer left behind.
constexpr std::string_view kTempMarker = ".wick-tmp.";

const std::string& host_name() {
  static const std::string name = [] {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return std::string("localhost");
    return std::string(buf);
  }();
  return name;
}

std::string temp_path_for(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return dir + "." + name + std::string(kTempMarker) + host_name() + "." + std::to_string(::getpid()) + "." +
         std::to_string(counter++);
}

// The writer's pid when `name` is a temporary file made on this host, else -1.
pid_t temp_file_writer(std::string_view name) {
  const size_t marker = name.rfind(kTempMarker);
  if (name.empty() || name[0] != '.' || marker == std::string_view::npos) return -1;
  std::string_view rest = name.substr(marker + kTempMarker.size());  // <host>.<pid>.<n>; the host may hold dots
  const size_t last = rest.rfind('.');
  if (last == std::string_view::npos || last == 0) return -1;
  const size_t before = rest.rfind('.', last - 1);
  if (before == std::string_view::npos || rest.substr(0, before) != host_name()) return -1;
  const std::string_view pid = rest.substr(before + 1, last - before - 1);
  if (pid.empty() || pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string_view::npos) return -1;
  return pid_t(std::stoi(std::string(pid)));
}

// A writer killed between creating its temporary file and renaming it (SIGKILL, OOM killer, a crash) leaves
// the file behind, as large as the whole checkpoint: a job that is killed and restarted now and then would
// slowly fill the disk. So each save first deletes the temporary files in its directory whose writer, on this
// host, no longer runs. Files of live writers (or of other hosts on a shared file system) are kept. Best
// effort: any failure here only leaves a file in place.
void remove_stale_temp_files(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (const dirent* e = ::readdir(d)) {
    const pid_t writer = temp_file_writer(e->d_name);
    if (writer > 0 && ::kill(writer, 0) != 0 && errno == ESRCH) ::unlinkat(::dirfd(d), e->d_name, 0);
  }
  ::closedir(d);
}

}  // namespace

AtomicFile::AtomicFile(std::string path, const char* op) : path_(std::move(path)), op_(op) {
  remove_stale_temp_files(directory_of(path_));
  temp_ = temp_path_for(path_);
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  WICK_CHECK(fd_ >= 0, op_, "cannot create '", path_, "' (its temporary file '", temp_, "'): ", std::strerror(errno));
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_.c_str());
  }
}

void AtomicFile::write(const void* data, size_t n) { write_all(fd_, data, n, temp_, op_); }

void AtomicFile::commit() {
  WICK_CHECK(::fsync(fd_) == 0, op_, "flushing '", temp_, "' failed: ", std::strerror(errno));
  const int fd = std::exchange(fd_, -1);
  if (::close(fd) != 0) {
    const int e = errno;
    ::unlink(temp_.c_str());
    fail(op_, "closing '", temp_, "' failed: ", std::strerror(e));
  }
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    const int e = errno;
    ::unlink(temp_.c_str());
    fail(op_, "cannot rename '", temp_, "' to '", path_, "': ", std::strerror(e));
  }
  // Persist the rename itself (best effort: some file systems refuse fsync on directories).
  const int dfd = ::open(directory_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace wick

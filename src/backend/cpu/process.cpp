#include "backend/cpu/process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "model/error.hpp"

extern char** environ;

namespace psst::backend::cpu {

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& directory,
                           const std::filesystem::path& log) {
  if (argv.empty()) throw InternalError("ChildProcess: empty command line");
  posix_spawn_file_actions_t actions;
  if (int error = posix_spawn_file_actions_init(&actions); error != 0)
    throw IoError(fmt::format("posix_spawn_file_actions_init: {}", std::strerror(error)));
  int error = posix_spawn_file_actions_addchdir_np(&actions, directory.c_str());
  if (error == 0) error = posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (error == 0) error = posix_spawn_file_actions_adddup2(&actions, 1, 2);
  if (error == 0) error = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  if (error == 0) error = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    pid_ = -1;
    throw IoError(fmt::format("cannot run `{}`: {}", command_line(argv), std::strerror(error)));
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) wait();
}

std::string ChildProcess::wait() {
  if (pid_ <= 0) return "not started";
  int status = 0;
  pid_t done;
  while ((done = waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
  }
  int saved = errno;
  pid_ = -1;
  if (done < 0) return fmt::format("waitpid failed: {}", std::strerror(saved));
  if (WIFEXITED(status)) return WEXITSTATUS(status) == 0 ? "" : fmt::format("exit status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
  return "ended abnormally";
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    bool plain = !a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                                   "_-+=./,:") == std::string::npos;
    if (plain) {
      s += a;
    } else {
      s += '\'';
      for (char c : a) s += c == '\'' ? std::string("'\\''") : std::string(1, c);
      s += '\'';
    }
  }
  return s;
}

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace psst::backend::cpu

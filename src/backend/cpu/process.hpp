#pragma once
// Child processes for the compiler: started without a shell, in a working
// directory, with stdout and stderr together in a log file; every start and
// every exit status is checked by the caller.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace psst::backend::cpu {

class ChildProcess {
 public:
  // Starts argv[0] (looked up on PATH when it has no '/') in `directory`; output goes to `log`.
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& directory,
               const std::filesystem::path& log);
  ~ChildProcess();  // waits if nobody did
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Waits; returns "" on exit status 0, else what went wrong ("exit status 1", "killed by signal 9").
  std::string wait();

 private:
  pid_t pid_ = -1;
};

// The command line, quoted for a shell (for messages).
std::string command_line(const std::vector<std::string>& argv);
std::string read_text_file(const std::filesystem::path& path);

}  // namespace psst::backend::cpu

// Test helper: starts a real anvil (npm @foundry-rs/anvil) on a free port for a test and
// kills it afterwards. Binary: $CX_ANVIL, else $CX_ROOT/blockchain/node_modules/@foundry-rs/
// anvil-linux-amd64/bin/anvil. When it is missing the tests SKIP -- unless
// CX_REQUIRE_ANVIL=1 (the suite tools/suites/71-chain-rpc.sh sets it), then they FAIL.
#pragma once
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "chain/rpc.h"

extern char** environ;

namespace cx::chain::testing {

inline std::string AnvilPath() {
  if (const char* p = std::getenv("CX_ANVIL"); p != nullptr && *p != '\0') return p;
  const char* root = std::getenv("CX_ROOT");
  std::string r = root != nullptr ? root : ".";
  return r + "/blockchain/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";
}

inline bool AnvilRequired() {
  const char* v = std::getenv("CX_REQUIRE_ANVIL");
  return v != nullptr && std::string(v) == "1";
}

inline int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return 0;
  }
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const int port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

class Anvil {
 public:
  // Starts anvil with `extra` arguments; ok() false when it could not be started.
  explicit Anvil(std::vector<std::string> extra = {}) {
    const std::string bin = AnvilPath();
    if (!std::filesystem::exists(bin)) {
      error_ = "anvil binary not found at " + bin;
      return;
    }
    for (int attempt = 0; attempt < 3 && pid_ <= 0; ++attempt) {
      port_ = FreePort();
      std::vector<std::string> args = {bin, "--port", std::to_string(port_), "--silent"};
      args.insert(args.end(), extra.begin(), extra.end());
      std::vector<char*> argv;
      argv.reserve(args.size() + 1);
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      pid_t pid = 0;
      if (posix_spawn(&pid, bin.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
        error_ = "posix_spawn failed";
        return;
      }
      pid_ = pid;
      auto c = MakeHttpRpcClient(url(), Quick());
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      bool up = false;
      while (std::chrono::steady_clock::now() < deadline) {
        if (c.value()->ChainId().ok()) {
          up = true;
          break;
        }
        int st = 0;
        if (waitpid(pid_, &st, WNOHANG) == pid_) break;  // exited (port taken?)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (up) {
        // Another test's anvil may own this port (ours then exits on bind): make sure ours
        // is the one still running.
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        int st = 0;
        if (waitpid(pid_, &st, WNOHANG) == pid_) {
          pid_ = -1;
          up = false;
        }
      }
      if (!up) {
        Stop();
        error_ = "anvil did not answer on port " + std::to_string(port_);
      } else {
        error_.clear();
      }
    }
  }
  ~Anvil() { Stop(); }
  Anvil(const Anvil&) = delete;
  Anvil& operator=(const Anvil&) = delete;

  bool ok() const { return pid_ > 0; }
  const std::string& error() const { return error_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  static RpcOptions Quick() {
    RpcOptions o;
    o.timeout = std::chrono::milliseconds(5000);
    o.max_attempts = 2;
    o.backoff_initial = std::chrono::milliseconds(20);
    return o;
  }

 private:
  void Stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st = 0;
      for (int i = 0; i < 100; ++i) {
        if (waitpid(pid_, &st, WNOHANG) == pid_) {
          pid_ = -1;
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      ::kill(pid_, SIGKILL);
      waitpid(pid_, &st, 0);
      pid_ = -1;
    }
  }
  pid_t pid_ = -1;
  int port_ = 0;
  std::string error_;
};

}  // namespace cx::chain::testing

// In a test body: starts `var` or skips (fails when CX_REQUIRE_ANVIL=1).
#define CX_START_ANVIL(var, ...)                                              \
  ::cx::chain::testing::Anvil var{__VA_ARGS__};                               \
  if (!var.ok()) {                                                            \
    if (::cx::chain::testing::AnvilRequired()) {                              \
      FAIL() << var.error();                                                  \
    }                                                                         \
    GTEST_SKIP() << var.error();                                              \
  }

// midclt entry point: wires the real process environment into midclt::run.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <iterator>

#include "midclt/cli.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  midclt::Environment env{[](const char* name) -> std::optional<std::string> {
                            const char* value = std::getenv(name);
                            return value ? std::optional<std::string>(value) : std::nullopt;
                          },
                          [](std::string_view path) {
                            struct stat st {};
                            return ::stat(std::string(path).c_str(), &st) == 0;
                          }};
  midclt::Io io{
      std::cout, std::cerr,
      midclt::StdinSource{
          [] { return ::isatty(STDIN_FILENO) == 1; },
          [] { return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()); }}};
  try {
    int code = midclt::run(std::vector<std::string>(argv, argv + argc), env, io);
    std::cout.flush();
    return code;
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "midclt: " << e.what() << '\n';
    return 1;
  }
}

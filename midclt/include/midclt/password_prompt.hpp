#pragma once
// getpass(): "Password: " on the terminal, read without echo.
#include <optional>
#include <string>

namespace midclt {

// Reads from /dev/tty when there is one, else from stdin (with echo, as Python's getpass falls
// back). nullopt at end of input.
std::optional<std::string> prompt_password(const std::string& prompt = "Password: ");

}  // namespace midclt

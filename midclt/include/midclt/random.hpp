#pragma once
// Randomness for request ids and SCRAM nonces, straight from the kernel (getrandom).
#include <string>
#include <vector>

namespace midclt {

std::vector<unsigned char> random_bytes(std::size_t count);

// A random (version 4) UUID in its canonical lower-case form.
std::string uuid4();

}  // namespace midclt

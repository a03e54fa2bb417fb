#pragma once
// filesystem.put's writing: the uploaded bytes go into a temporary file beside the target,
// which is renamed over it only once the whole file arrived, so an interrupted or refused
// upload never leaves a truncated image where a VM could boot from it.
#include <cstdint>
#include <filesystem>
#include <optional>

#include <middlewared/job.hpp>
#include <middlewared/method.hpp>

namespace mw::plugins::filesystem {

struct PutOptions {
  bool append = false;           // append to an existing file (written in place, as TrueNAS does)
  std::optional<unsigned> mode;  // permission bits of the new file; default 0644
  std::uint64_t max_bytes = 0;   // the file may not grow past this; 0 = no limit
};

// Copies `source` to `target` in chunks, reporting progress on `job`. Throws CallError: EFBIG
// past max_bytes, EPIPE when the upload broke off, the errno of a failed write; the temporary
// file is removed then. Returns the number of bytes written.
std::uint64_t put_file(UploadSource& source, const std::filesystem::path& target, const PutOptions& options, Job* job);

}  // namespace mw::plugins::filesystem

#include "vm_state_files.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>

#include <middlewared/errors.hpp>

#include "vm_state.hpp"

namespace mw::vm {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> files_of(const VmState& state, int64_t id, const std::string& name) {
  return state.named_state_files ? state.named_state_files(id, name) : std::vector<std::string>{};
}

}  // namespace

std::vector<std::pair<std::string, std::string>> state_file_moves(const VmState& state, int64_t from_id,
                                                                  const std::string& from_name, int64_t to_id,
                                                                  const std::string& to_name, const std::string& what) {
  auto from = files_of(state, from_id, from_name);
  auto to = files_of(state, to_id, to_name);
  std::vector<std::pair<std::string, std::string>> moves;
  std::error_code ec;
  for (std::size_t i = 0; i < from.size() && i < to.size(); ++i) {
    if (from[i] == to[i] || !fs::exists(from[i], ec)) continue;
    if (fs::exists(to[i], ec)) {
      const std::string verb = what == "rename" ? "rename" : "clone";
      const std::string tail = what == "rename" ? "Name change aborted; VM configuration is unchanged."
                                                : "Aborting; VM configuration is unchanged.";
      throw CallError("Cannot " + verb + " VM '" + from_name + "' -> '" + to_name +
                      "': on-disk state already exists at the destination (likely stale NVRAM left over from a "
                      "previously deleted VM). " +
                      tail);
    }
    moves.emplace_back(from[i], to[i]);
  }
  return moves;
}

void undo_renames(const std::vector<std::pair<std::string, std::string>>& moves) {
  std::error_code ec;
  for (const auto& [from, to] : moves) fs::rename(to, from, ec);
}

void rename_state_files(const std::vector<std::pair<std::string, std::string>>& moves) {
  for (std::size_t i = 0; i < moves.size(); ++i) {
    std::error_code ec;
    fs::rename(moves[i].first, moves[i].second, ec);
    if (ec) {
      undo_renames({moves.begin(), moves.begin() + static_cast<std::ptrdiff_t>(i)});
      throw CallError("Failed to rename VM state " + moves[i].first + ": " + ec.message());
    }
  }
}

void copy_state_files(const std::vector<std::pair<std::string, std::string>>& moves) {
  for (std::size_t i = 0; i < moves.size(); ++i) {
    std::error_code ec;
    fs::copy_file(moves[i].first, moves[i].second, fs::copy_options::none, ec);
    if (ec) {
      std::error_code ignored;
      for (std::size_t j = 0; j <= i; ++j)
        if (j < i || fs::exists(moves[j].second, ignored)) fs::remove(moves[j].second, ignored);
      throw CallError("Failed to copy VM state " + moves[i].first + ": " + ec.message());
    }
  }
}

void remove_state_files(const VmState& state, int64_t id, const std::string& name) {
  for (const auto& f : files_of(state, id, name)) {
    std::error_code ec;
    fs::remove(f, ec);
    if (ec && state.log) state.log->error("{}: failed to remove on-disk VM state {}: {}", name, f, ec.message());
  }
}

}  // namespace mw::vm

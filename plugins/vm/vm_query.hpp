#pragma once
// vm.query's answers as JSON text, which vm.get_instance and vm.create give too.
#include <string>

#include <middlewared/json.hpp>

namespace mw {
class ResultText;
}

namespace mw::vm {

struct VmRow;
struct VmState;
class VmRuntimeStatus;

// Appends the answer of vm.query with these filters and options to `answer` (VmService::query_text).
// Throws MatchNotFound when `get` finds no VM.
void answer_query(ResultText& answer, const VmState& state, const json::array& filters, const json::object& options,
                  bool redact);

// A VM's entry: its ready bytes with the status spliced in (`status` when the query already made
// it, else read live from the runtime).
void append_entry(std::string& out, const VmRow& row, bool redact, const json::value* status,
                  const VmRuntimeStatus& runtime);

}  // namespace mw::vm

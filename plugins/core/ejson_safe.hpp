#pragma once
// Method schemas as TrueNAS's client can read them. Its decoder turns every one-key object whose
// key is an extended-JSON tag ({"$date": ...}, {"$set": ...}, ...) into a Python value while it
// reads an answer; a schema's `properties` that names just one such field looks exactly like
// that, fails to decode, and the client's call hangs until its timeout.
#include <middlewared/json.hpp>

namespace mw::plugins::core {

// Rewrites, in place and at any depth, each `properties` object whose only key is an
// extended-JSON tag into the equivalent `patternProperties` entry ("^[$]date$"), so the schema
// validates the same documents.
void make_ejson_safe(json::value& schema);

}  // namespace mw::plugins::core

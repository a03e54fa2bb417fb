#pragma once
// `middlewared --check-schema SCHEMA.json INSTANCE.json`: lets a schema author try a schema on an
// instance, as the JSON Schema standard (draft-07) says: `default` is an annotation, never filled
// in, so an invalid default never makes an instance invalid. A schema under a `schemas/` directory
// is a method schema: it is registered as mw:///<path below it>, so its relative $refs load sibling
// files, and its integers are strict as the daemon checks them (2.0 is no integer). Any other file
// is registered as file://<absolute path> and checked in the standard's spec mode.
//
// Returns 0 when valid; 1 when invalid, printing one line per issue to `out`:
// "<JSON pointer> <message>" where the instance itself is shown as "/" (a top-level "" key would
// print as "/" too); 2 when a file cannot be read or parsed or the schema does not compile
// (message on `err`).
#include <filesystem>
#include <ostream>

namespace mw::schema {

int check_schema_files(const std::filesystem::path& schema, const std::filesystem::path& instance, std::ostream& out,
                       std::ostream& err);

}  // namespace mw::schema

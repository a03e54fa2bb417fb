#pragma once
// Where RAW and CDROM files may live (config [vm] storage_roots; ).
#include <middlewared/storage_roots.hpp>

namespace mw::vm {
using StorageRoots = mw::StorageRoots;
}  // namespace mw::vm

# Precompiled headers. Nearly every translation unit of ours includes Boost.JSON, spdlog and the
# plugin API (which pulls in Asio's executor); every test includes GoogleTest. A target of two or
# more files names the header set it compiles with:
#   mw_precompile_headers(<target> [SPDLOG] [TESTS])
# SPDLOG when the target compiles against spdlog (links it, or a library exporting it); TESTS for
# test executables. One PCH per set is built by a small host target and reused by every target
# naming that set (REUSE_FROM): four PCH builds instead of one per target. GCC rejects a PCH built
# with other definitions (-Winvalid-pch, an error under MW_WERROR), so a wrong set fails the CI
# build instead of silently compiling without the PCH. One-file targets go without: most are
# generated data or a main(), where loading a PCH saves little or nothing (docs/BENCHMARKS.md).
option(MW_PCH "Use precompiled headers" ON)

set(MW_PCH_COMMON
  <algorithm> <chrono> <filesystem> <functional> <map> <memory> <optional> <set> <string>
  <string_view> <vector>
  <boost/json/array.hpp> <boost/json/object.hpp> <boost/json/parse.hpp> <boost/json/serialize.hpp>
  <boost/json/string.hpp> <boost/json/value.hpp>
  <boost/asio/any_io_executor.hpp>)
# Only for targets that link spdlog: its header needs fmt's library, which midclt never links
# (midclt starts fast by not loading what it does not use).
set(MW_PCH_SPDLOG <spdlog/spdlog.h>)
set(MW_PCH_TESTS <gtest/gtest.h> <gmock/gmock.h>)

# The hosts, made here in the top-level directory (included before any add_subdirectory), after
# mw_options exists.
function(mw_add_precompiled_header_hosts)
  if(NOT MW_PCH)
    return()
  endif()
  set(src ${CMAKE_BINARY_DIR}/mw_pch_host.cpp)
  file(CONFIGURE OUTPUT ${src} CONTENT "// Host of the shared precompiled headers (cmake/Pch.cmake).\n")
  set(sets lib lib_spdlog)
  if(MW_TESTS)
    list(APPEND sets test test_spdlog)
  endif()
  foreach(name IN LISTS sets)
    set(host mw_pch_${name})
    add_library(${host} OBJECT ${src})
    target_link_libraries(${host} PRIVATE mw_options Boost::json Boost::headers)
    set(headers ${MW_PCH_COMMON})
    if(name MATCHES "spdlog")
      target_link_libraries(${host} PRIVATE spdlog::spdlog)
      list(APPEND headers ${MW_PCH_SPDLOG})
    endif()
    if(name MATCHES "test")
      target_link_libraries(${host} PRIVATE GTest::gtest GTest::gmock)
      list(APPEND headers ${MW_PCH_TESTS})
    endif()
    target_precompile_headers(${host} PRIVATE ${headers})
  endforeach()
endfunction()

function(mw_precompile_headers target)
  cmake_parse_arguments(PCH "SPDLOG;TESTS" "" "" ${ARGN})
  if(NOT MW_PCH)
    return()
  endif()
  set(name lib)
  if(PCH_TESTS)
    set(name test)
  endif()
  if(PCH_SPDLOG)
    set(name ${name}_spdlog)
  endif()
  target_precompile_headers(${target} REUSE_FROM mw_pch_${name})
endfunction()

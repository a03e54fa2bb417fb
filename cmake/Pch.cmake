# Precompiled headers, applied after every target exists so that no folder's CMakeLists has to
# remember them. Nearly every translation unit of ours includes Boost.JSON, spdlog and the
# plugin API (which pulls in Asio's executor); every test includes GoogleTest. Parsing those
# once per target instead of once per file is most of a clean build's time on 2 cores.
# The PCHs are shared (see _mw_pch_host below), so even a one-file target gains: loading a PCH
# costs a fraction of parsing those headers.

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

# True when `target` compiles with spdlog's usage requirements: it links spdlog itself, or through
# a library's public interface. A private link of a library ($<LINK_ONLY:...>) brings no headers
# or definitions, and a PCH built with spdlog's definitions would not be valid for such a target.
function(_mw_links_spdlog target out)
  get_target_property(pending ${target} LINK_LIBRARIES)
  if(NOT pending)
    set(pending)
  endif()
  set(seen)
  while(pending)
    list(POP_FRONT pending t)
    if(t MATCHES "^spdlog::")
      set(${out} TRUE PARENT_SCOPE)
      return()
    endif()
    if(t IN_LIST seen OR NOT TARGET ${t})
      continue()
    endif()
    list(APPEND seen ${t})
    get_target_property(iface ${t} INTERFACE_LINK_LIBRARIES)
    foreach(l IN LISTS iface)
      if(NOT l MATCHES "^\\$<LINK_ONLY:" AND NOT l MATCHES "NOTFOUND$")
        list(APPEND pending ${l})
      endif()
    endforeach()
  endwhile()
  set(${out} FALSE PARENT_SCOPE)
endfunction()

function(_mw_collect_targets dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    _mw_collect_targets(${sub} sub_targets)
    list(APPEND targets ${sub_targets})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# The headers of a set: lib, lib_spdlog, test, test_spdlog.
function(_mw_pch_headers name out)
  set(headers ${MW_PCH_COMMON})
  if(name MATCHES "spdlog")
    list(APPEND headers ${MW_PCH_SPDLOG})
  endif()
  if(name MATCHES "test")
    list(APPEND headers ${MW_PCH_TESTS})
  endif()
  set(${out} ${headers} PARENT_SCOPE)
endfunction()

# One precompiled header per header set, built once by a small host target and reused by every
# target that wants that set (REUSE_FROM): four PCH builds instead of one per target. All our
# targets share mw_options' flags, so GCC accepts the shared PCH; if it ever did not, it would
# fall back to parsing the headers (correct, only slower; -Winvalid-pch says so).
function(_mw_pch_host name out)
  set(host mw_pch_${name})
  if(NOT TARGET ${host})
    set(src ${CMAKE_BINARY_DIR}/mw_pch_host.cpp)
    if(NOT EXISTS ${src})
      file(WRITE ${src} "// Host of the shared precompiled headers (cmake/Pch.cmake).\n")
    endif()
    add_library(${host} OBJECT ${src})
    target_link_libraries(${host} PRIVATE mw_options Boost::json Boost::headers)
    if(name MATCHES "spdlog")
      target_link_libraries(${host} PRIVATE spdlog::spdlog)
    endif()
    if(name MATCHES "test")
      target_link_libraries(${host} PRIVATE GTest::gtest GTest::gmock)
    endif()
    _mw_pch_headers(${name} headers)
    target_precompile_headers(${host} PRIVATE ${headers})
  endif()
  set(${out} ${host} PARENT_SCOPE)
endfunction()

option(MW_PCH_SHARED "Share one precompiled header per header set between targets" ON)

function(mw_apply_precompiled_headers)
  _mw_collect_targets(${CMAKE_SOURCE_DIR} targets)
  foreach(t IN LISTS targets)
    get_target_property(type ${t} TYPE)
    if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|OBJECT_LIBRARY)$")
      continue()
    endif()
    get_target_property(sources ${t} SOURCES)
    list(FILTER sources INCLUDE REGEX "\\.cpp$")
    list(LENGTH sources n)
    get_target_property(no_pch ${t} MW_NO_PCH)
    # A shared PCH helps even a one-file target; a private one pays off from three files on.
    if(no_pch OR n EQUAL 0 OR (NOT MW_PCH_SHARED AND n LESS 3))
      continue()
    endif()
    set(name lib)
    get_target_property(libs ${t} LINK_LIBRARIES)
    if(libs MATCHES "GTest::")  # test targets are the ones linking GoogleTest
      set(name test)
    endif()
    _mw_links_spdlog(${t} with_spdlog)
    if(with_spdlog)
      set(name ${name}_spdlog)
    endif()
    if(MW_PCH_SHARED)
      _mw_pch_host(${name} host)
      target_precompile_headers(${t} REUSE_FROM ${host})
    else()
      _mw_pch_headers(${name} headers)
      target_precompile_headers(${t} PRIVATE ${headers})
    endif()
  endforeach()
endfunction()

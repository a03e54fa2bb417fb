# The middlewared executable: core + every plugin that exists in this build + embedded schemas.
# Included from the top level after plugins/, so the plugin targets are known here.
# Every schema file must belong to a method (app/boot_checks.hpp), so the shipped daemon, which
# has no test.* methods, embeds every schema but those of schemas/test/.
file(GLOB_RECURSE MW_SCHEMA_FILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/schemas/*.json)
set(MW_SHIPPED_SCHEMA_FILES ${MW_SCHEMA_FILES})
list(FILTER MW_SHIPPED_SCHEMA_FILES EXCLUDE REGEX "/schemas/test/")
mw_embed_files(TARGET mw_schemas NAMESPACE mw::schemas BASE ${PROJECT_SOURCE_DIR}/schemas FILES ${MW_SHIPPED_SCHEMA_FILES})

# register_all.cpp against a list of plugins (folder names under plugins/, besides core).
function(mw_add_plugin_list name)
  add_library(${name} STATIC ${PROJECT_SOURCE_DIR}/plugins/register_all.cpp)
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/plugins)
  target_link_libraries(${name} PUBLIC mw_plugin_core)
  foreach(p IN LISTS ARGN)
    string(TOUPPER ${p} upper)
    target_link_libraries(${name} PUBLIC mw_plugin_${p})
    target_compile_definitions(${name} PRIVATE MW_WITH_${upper}_PLUGIN)
  endforeach()
endfunction()

set(_mw_shipped_plugins)
foreach(p auth vm filesystem)
  if(TARGET mw_plugin_${p})
    list(APPEND _mw_shipped_plugins ${p})
  endif()
endforeach()

# main.cpp once, for both executables below.
add_library(mw_daemon_main OBJECT ${CMAKE_CURRENT_LIST_DIR}/src/app/main.cpp)
target_compile_definitions(mw_daemon_main PRIVATE MW_VERSION="${PROJECT_VERSION}")
target_include_directories(mw_daemon_main PRIVATE ${PROJECT_SOURCE_DIR}/plugins)
target_link_libraries(mw_daemon_main PRIVATE mwcore CLI11::CLI11)

# `middlewared` is what scripts/run.sh runs and the package installs: it never holds the test-only
# plugin, whatever the build options.
mw_add_plugin_list(mw_plugins ${_mw_shipped_plugins})
add_executable(middlewared)
target_link_libraries(middlewared PRIVATE mw_daemon_main mwcore mw_plugins mw_schemas CLI11::CLI11)

# The test suites start `middlewared_testing`: the same daemon plus plugins/test (test.*).
if(TARGET mw_plugin_test)
  mw_add_plugin_list(mw_plugins_testing ${_mw_shipped_plugins} test)
  add_executable(middlewared_testing)
  mw_embed_files(TARGET mw_schemas_testing NAMESPACE mw::schemas BASE ${PROJECT_SOURCE_DIR}/schemas FILES ${MW_SCHEMA_FILES})
  target_link_libraries(middlewared_testing PRIVATE mw_daemon_main mwcore mw_plugins_testing mw_schemas_testing CLI11::CLI11)
endif()

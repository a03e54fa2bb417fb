# mw_embed_files(TARGET name NAMESPACE ns BASE dir FILES f1 f2 ...)
# Compiles the files into a static library exposing
#   const std::vector<mw::EmbeddedFile>& ns::embedded_files();
# with paths relative to BASE. Used for schemas/ and SQL migrations, so an installed binary needs no
# data directory beside it. The generated source is rebuilt whenever one of the files changes.
set(_MW_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_files.cmake)

function(mw_embed_files)
  cmake_parse_arguments(E "" "TARGET;NAMESPACE;BASE" "FILES" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${E_TARGET}_embedded.cpp)
  string(REPLACE ";" "|" files_arg "${E_FILES}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${E_NAMESPACE} -DBASE=${E_BASE} "-DFILES=${files_arg}"
            -P ${_MW_EMBED_SCRIPT}
    DEPENDS ${E_FILES} ${_MW_EMBED_SCRIPT}
    COMMENT "Embedding ${E_TARGET}"
    VERBATIM)
  add_library(${E_TARGET} STATIC ${out})
  target_link_libraries(${E_TARGET} PUBLIC mw_api)
endfunction()

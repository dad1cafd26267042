# Build step (cmake -P): compiles every file of server/console/assets/ into a
# C++ source, so sevu-server serves its console pages without reading the source
# tree at run time. Inputs: ASSET_DIR (the folder), OUTPUT (the .cpp to write).
# Bytes are written as numbers, so any file (text or binary) is carried as is.
if(NOT ASSET_DIR OR NOT OUTPUT)
  message(FATAL_ERROR "usage: cmake -DASSET_DIR=dir -DOUTPUT=file.cpp -P embed_assets.cmake")
endif()

file(GLOB files "${ASSET_DIR}/*")
list(SORT files)
set(arrays "")
set(entries "")
set(i 0)
foreach(path IN LISTS files)
  if(IS_DIRECTORY "${path}")
    continue()
  endif()
  get_filename_component(name "${path}" NAME)
  if(NOT name MATCHES "^[A-Za-z0-9_.-]+$")
    message(FATAL_ERROR "console asset ${name}: name must be letters, digits, '.', '_' or '-'")
  endif()
  file(READ "${path}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND arrays "const unsigned char asset_${i}[] = {${bytes} 0};\n")
  string(APPEND entries
         "      {\"${name}\", std::string_view(reinterpret_cast<const char*>(asset_${i}), ${size})},\n")
  math(EXPR i "${i} + 1")
endforeach()

set(content "// Generated from ${ASSET_DIR} by cmake/embed_assets.cmake; do not edit.
#include \"console/assets.hpp\"

namespace sevu::console {

namespace {

${arrays}
}  // namespace

const std::vector<Asset>& embedded_assets() {
  static const std::vector<Asset> assets = {
${entries}  };
  return assets;
}

}  // namespace sevu::console
")

file(WRITE "${OUTPUT}" "${content}")

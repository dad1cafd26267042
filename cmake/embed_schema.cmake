# Build step (cmake -P): compiles schema/NNNN_description.sql into a C++ source
# so sevu-server carries its migrations and never reads the source tree at run
# time. Inputs: SCHEMA_DIR (folder of .sql files), OUTPUT (the .cpp to write),
# FUNCTION (the accessor to define; embedded_schema_files by default, one per dialect).
if(NOT SCHEMA_DIR OR NOT OUTPUT)
  message(FATAL_ERROR "usage: cmake -DSCHEMA_DIR=dir -DOUTPUT=file.cpp [-DFUNCTION=name] -P embed_schema.cmake")
endif()
if(NOT FUNCTION)
  set(FUNCTION embedded_schema_files)
endif()

file(GLOB files "${SCHEMA_DIR}/*.sql")
list(SORT files)  # NNNN_ prefixes sort in migration order
if(NOT files)
  message(FATAL_ERROR "no migrations found in ${SCHEMA_DIR}")
endif()

set(delimiter "sevu_schema")
set(entries "")
foreach(path IN LISTS files)
  get_filename_component(name "${path}" NAME)
  if(NOT name MATCHES "^[0-9][0-9][0-9][0-9]_[a-z0-9_]+\\.sql$")
    message(FATAL_ERROR "migration ${name}: name must be NNNN_description.sql")
  endif()
  file(READ "${path}" sql)
  # The raw string literal ends at )delimiter"; refuse text that contains it.
  string(FIND "${sql}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "migration ${name} contains the raw string delimiter ${delimiter}")
  endif()
  string(APPEND entries "      {\"${name}\", R\"${delimiter}(${sql})${delimiter}\"},\n")
endforeach()

set(content "// Generated from ${SCHEMA_DIR}/*.sql by cmake/embed_schema.cmake; do not edit.
#include \"store/migrations.hpp\"

namespace sevu {

const std::vector<SchemaFile>& ${FUNCTION}() {
  static const std::vector<SchemaFile> files = {
${entries}  };
  return files;
}

}  // namespace sevu
")

file(WRITE "${OUTPUT}" "${content}")

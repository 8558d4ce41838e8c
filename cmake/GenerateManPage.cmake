# Writes vigil(8) with help2man from the binary's own --help (run with cmake -P):
#   -DVIGIL=<binary> -DHELP2MAN=<help2man> -DSTATIC_INCLUDE=<h2m file> -DWORK=<dir> -DOUT=<file>
# The subcommands are read from `vigil --help`; each one's --help becomes a subsection of
# COMMANDS, so the page follows the CLI without edits here. The text of STATIC_INCLUDE
# (FILES, SIGNALS, SEE ALSO...) is added as it is.
foreach(var VIGIL HELP2MAN STATIC_INCLUDE WORK OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "GenerateManPage.cmake: ${var} is not set")
  endif()
endforeach()

execute_process(COMMAND "${VIGIL}" --help OUTPUT_VARIABLE top RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${VIGIL} --help failed (${rc})")
endif()

# Subcommand names: the lines of the "Subcommands:" block, "  NAME   description".
string(REPLACE "\n" ";" lines "${top}")
set(in_block FALSE)
set(commands "")
foreach(line IN LISTS lines)
  if(line MATCHES "^Subcommands:")
    set(in_block TRUE)
  elseif(in_block AND line MATCHES "^  ([a-z][a-z0-9-]*)( |$)")
    list(APPEND commands "${CMAKE_MATCH_1}")
  elseif(in_block AND NOT line MATCHES "^ ")
    set(in_block FALSE)
  endif()
endforeach()
if(NOT commands)
  message(FATAL_ERROR "no subcommands found in `${VIGIL} --help`")
endif()

# roff: backslashes escaped, lines that would start a request protected.
function(to_roff text out_var)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

set(include "[COMMANDS]\nEach command has its own options; `vigil COMMAND --help` prints them.\n")
foreach(cmd IN LISTS commands)
  execute_process(COMMAND "${VIGIL}" ${cmd} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${VIGIL} ${cmd} --help failed (${rc})")
  endif()
  string(STRIP "${help}" help)
  to_roff("${help}" help)
  string(APPEND include ".SS \"vigil ${cmd}\"\n.nf\n${help}\n.fi\n")
endforeach()
file(READ "${STATIC_INCLUDE}" static_text)
get_filename_component(out_dir "${OUT}" DIRECTORY)
file(MAKE_DIRECTORY "${WORK}" "${out_dir}")
file(WRITE "${WORK}/vigil.h2m" "${include}\n${static_text}")

execute_process(
  COMMAND "${HELP2MAN}" --no-info --section=8 --source=Vigil
          "--name=security and compliance monitoring daemon"
          "--include=${WORK}/vigil.h2m" "--output=${OUT}" "${VIGIL}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man failed (${rc})")
endif()

#pragma once
// libFuzzer harness support: the readers take paths (their format comes from the extension), so
// each input is written to a per-process file in /dev/shm (memory) with the extension wanted.
// A legalcircle error (InputError, ConfigError, OutputError) is the expected answer to bad
// bytes; anything else escaping — another exception, a crash, a sanitizer report — is a finding.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "legalcircle/core/error.hpp"

namespace legalcircle::fuzz {

inline std::string input_file(const uint8_t* data, size_t size, const std::string& extension) {
  const std::string path = "/dev/shm/legalcircle-fuzz-" + std::to_string(::getpid()) + extension;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

template <typename F>
void expect_clean(F&& body) {
  try {
    body();
  } catch (const InputError&) {
  } catch (const ConfigError&) {
  } catch (const OutputError&) {
  }
}

}  // namespace legalcircle::fuzz

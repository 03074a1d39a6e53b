#pragma once
// How long steps report progress and warnings: the library calls an Observer, the CLI prints
// (and --quiet silences it), a server or a test collects. The default observer ignores all.
#include <chrono>
#include <string>
#include <string_view>

namespace legalcircle {

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void stage_begin(std::string_view stage) { (void)stage; }
  // The stage that began last has ended after `seconds`; detail: what it produced.
  virtual void stage_end(double seconds, std::string_view detail) { (void)seconds, (void)detail; }
  // Something the user must know about the answer (a default that cannot apply, a point not
  // used). The pipeline also keeps every warning in its result for summary.json and the report.
  virtual void warning(std::string_view message) { (void)message; }
  // A remark (where outputs went, which defaults were used).
  virtual void note(std::string_view message) { (void)message; }
};

// One timed stage: begin on construction, end() reports and returns the seconds.
class Stage {
 public:
  Stage(Observer& observer, std::string_view name)
      : observer_(observer), start_(std::chrono::steady_clock::now()) {
    observer_.stage_begin(name);
  }
  double end(std::string_view detail = "") {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    observer_.stage_end(s, detail);
    return s;
  }

 private:
  Observer& observer_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace legalcircle

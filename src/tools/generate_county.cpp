// legalcircle_generate: writes the embedded SYNTHETIC water-town county (水乡) used as the
// default dataset (geodata/synthetic-county): a road network with canals and bridges
// (roads.osm.pbf), villages and communities with population and admin codes
// (villages.geojson), public legal service points (services.csv) and a README.
//
// Everything is a pure function of (seed, scale): randomness comes from a hashed splitmix64
// keyed by (seed, purpose, indices), never from std::*_distribution, time or threads; the sine
// is our own polynomial so libm differences cannot move a coordinate; the PBF is written
// uncompressed and without metadata, so its bytes do not depend on the zlib version.
//
// Layout. A jittered square lattice (500 m) in "lattice parameter space" (u, v) is mapped to
// metres by bilinear interpolation of the jittered lattice points; each lattice cell is cut
// into 4 x 4 fine cells (125 m) used by town-centre street grids. Roads run along lattice
// lines, so two roads meet only at shared lattice nodes. Canals run between lattice lines
// (v = j + 0.375 + meander, u = i + 0.625 + meander), so every road/canal crossing is known
// exactly: it becomes a bridge (bridge=yes, layer=1) or the road stops 25 m short of the bank.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <osmium/builder/attr.hpp>
#include <osmium/io/header.hpp>
#include <osmium/io/pbf_output.hpp>
#include <osmium/io/writer.hpp>
#include <osmium/memory/buffer.hpp>
#include <osmium/osm/location.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

// Coordinates must not depend on whether the compiler fuses a*b+c into one FMA instruction.
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kDefaultSeed = 20240601;
constexpr double kPi = 3.14159265358979323846;
constexpr double kCell = 500.0;  // lattice spacing, metres
constexpr int kSub = 4;          // fine cells per lattice cell

// ---------------------------------------------------------------- deterministic randomness
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Purposes of random draws; hashing them with the indices keeps draws independent of order.
enum Tag : std::uint64_t {
  kJitterX = 1,
  kJitterY,
  kBend,
  kTownJitter,
  kRuralClass,
  kTownClass,
  kBridge,
  kInter,
  kInterPos,
  kVillageOrder,
  kVillageOffX,
  kVillageOffY,
  kPop1,
  kPop2,
  kName,
  kCommunityOrder,
  kCanalPhase,
  kCanalSpan,
  kCanalGap,
  kPointOrder,
  kTownType,
  kLineName,
  kCanalName
};

struct Rand {
  std::uint64_t seed;
  std::uint64_t bits(std::uint64_t tag, std::int64_t a = 0, std::int64_t b = 0,
                     std::int64_t c = 0) const {
    std::uint64_t h = splitmix64(seed * 0x100000001B3ULL + tag);
    h = splitmix64(h ^ static_cast<std::uint64_t>(a));
    h = splitmix64(h ^ static_cast<std::uint64_t>(b));
    h = splitmix64(h ^ static_cast<std::uint64_t>(c));
    return h;
  }
  double unit(std::uint64_t tag, std::int64_t a = 0, std::int64_t b = 0, std::int64_t c = 0) const {
    return static_cast<double>(bits(tag, a, b, c) >> 11) * (1.0 / 9007199254740992.0);
  }
  int range(int lo, int hi, std::uint64_t tag, std::int64_t a = 0, std::int64_t b = 0,
            std::int64_t c = 0) const {  // inclusive
    return lo + static_cast<int>(bits(tag, a, b, c) % static_cast<std::uint64_t>(hi - lo + 1));
  }
};

// sin/cos from basic IEEE operations only (same bits on every platform).
double dsin(double x) {
  const double two_pi = 2.0 * kPi;
  x -= two_pi * std::floor(x / two_pi + 0.5);
  if (x > kPi / 2) x = kPi - x;
  if (x < -kPi / 2) x = -kPi - x;
  const double x2 = x * x;
  double term = x, sum = x;
  for (int n = 1; n <= 10; ++n) {
    term *= -x2 / static_cast<double>((2 * n) * (2 * n + 1));
    sum += term;
  }
  return sum;
}
double dcos(double x) { return dsin(x + kPi / 2); }

// ---------------------------------------------------------------- names
const std::vector<std::string> kTownA = {"荷", "梅", "澄", "桑", "柳", "芦", "菱",
                                         "莲", "苇", "渔", "杏", "桂", "棠", "竹",
                                         "藕", "蚕", "菰", "葭", "蒲", "萍"};
const std::vector<std::string> kTownB = {"泾", "湾", "浜", "塘", "溪", "汇", "港", "渚",
                                         "荡", "漾", "桥", "埭", "墩", "浦", "溇", "圩"};
const std::vector<std::string> kVillA = {
    "东", "西", "南", "北", "新", "前", "后", "上", "下", "大", "小", "高", "双", "三", "五", "长",
    "金", "银", "凤", "龙", "桃", "杨", "陈", "沈", "朱", "钱", "徐", "姚", "吴", "蒋", "陆", "顾",
    "潘", "俞", "庄", "曹", "褚", "许", "何", "马", "盛", "范", "邵", "孙", "周", "王", "张", "李"};
const std::vector<std::string> kVillB = {"港", "浜", "桥", "湾", "泾", "塘", "圩", "墩", "家", "庄",
                                         "溪", "漾", "兜", "埭", "汇", "浦", "田", "桑", "林", "园",
                                         "坝", "闸", "堰", "荡", "舍", "庙", "埠", "渡"};
const std::vector<std::string> kCommA = {
    "和", "平", "文", "昌", "锦", "绣", "华", "嘉", "秀", "瑞", "祥", "明", "星", "春", "晖",
    "桂", "新", "阳", "光", "振", "兴", "紫", "金", "翠", "泰", "康", "乐", "安", "福", "宁"};
const std::vector<std::string> kCommB = {"苑", "庭", "园", "里", "坊", "湾", "城", "府",
                                         "景", "汇", "港", "都", "源", "塘", "桥", "苑"};
const std::vector<std::string> kRoadWords = {
    "文昌", "和平", "兴业", "永安", "新华", "建设", "解放", "人民", "中山", "秀水", "梅湾", "荷花",
    "桑园", "柳堤", "竹林", "杏坛", "桂苑", "凤鸣", "龙湾", "双溪", "庆丰", "长春", "丰收", "乐民",
    "富强", "振兴", "德政", "明德", "光明", "清河", "枫桥", "春晖", "迎宾", "学府", "育才", "青年",
    "环城", "跃进", "胜利", "朝阳", "工农", "五星", "红旗", "向阳", "友谊", "团结", "民主", "复兴",
    "梧桐", "银杏", "芙蓉", "玉兰", "海棠", "丁香", "紫薇", "翠竹", "泾水", "湖滨", "塘湾", "渔港",
    "稻香", "蚕桑", "菱角", "莲塘", "芦花", "白鹭", "鸳鸯", "锦绣"};
const std::vector<std::string> kRoadDir = {"", "", "", "东", "西", "南", "北", "中"};

class NamePool {
 public:
  // Two syllables from a and b, unique; three syllables once pairs run out.
  std::string make(const Rand& r, std::uint64_t salt, const std::vector<std::string>& a,
                   const std::vector<std::string>& b, const std::string& suffix) {
    for (int attempt = 0; attempt < 400; ++attempt) {
      std::string n = a[r.bits(kName, salt, attempt, 1) % a.size()] +
                      b[r.bits(kName, salt, attempt, 2) % b.size()];
      if (attempt >= 40) n += b[r.bits(kName, salt, attempt, 3) % b.size()];
      n += suffix;
      if (used_.insert(n).second) return n;
    }
    std::string n = a[salt % a.size()] + std::to_string(salt) + suffix;
    used_.insert(n);
    return n;
  }
  std::string road(const Rand& r, std::uint64_t salt, const std::string& suffix) {
    for (int attempt = 0; attempt < 60; ++attempt) {
      std::string n = kRoadWords[r.bits(kLineName, salt, attempt, 1) % kRoadWords.size()];
      if (attempt >= 3) n += kRoadDir[r.bits(kLineName, salt, attempt, 2) % kRoadDir.size()];
      n += suffix;
      if (used_.insert(n).second) return n;
    }
    return kRoadWords[salt % kRoadWords.size()] + suffix;  // duplicates across towns happen
  }
  bool reserve(const std::string& n) { return used_.insert(n).second; }

 private:
  std::set<std::string> used_;
};

// ---------------------------------------------------------------- road classes
enum Cls : std::uint8_t {
  kNone = 0,
  kPrimary,
  kSecondary,
  kTertiary,
  kUnclassified,
  kResidential,
  kLiving,
  kService,
  kTrack,
  kPath,
  kFootway
};
const char* highway_value(std::uint8_t c) {
  static const std::array<const char*, 11> v = {
      "",        "primary", "secondary", "tertiary", "unclassified", "residential", "living_street",
      "service", "track",   "path",      "footway"};
  return v[c];
}

struct Edge {
  std::uint8_t cls = kNone;
  bool must_bridge = false;
  std::int8_t oneway = 0;  // 1: oneway=yes along increasing index, -1: oneway=-1
  std::uint32_t name = 0;
};

struct XY {
  double x, y;
};

// ---------------------------------------------------------------- the model
struct Town {
  std::string name, code, type;  // type: 镇 or 街道
  int ti = 0, tj = 0, radius = 2, county = 0;
  bool seat = false;
};
struct County {
  std::string name, code;
  int seat = -1;
  int streets = 0, towns = 0;
};
struct Unit {
  std::string id, name, type;
  int population = 0, town = 0;
  double u = 0, v = 0;  // lattice parameter position of the committee
  int li = 0, lj = 0;   // lattice (village) or fine (community) point
};
struct Service {
  std::string id, name, tier;
  int town = 0;
  double u = 0, v = 0;
};
struct Canal {
  bool horizontal = true;
  int gap = 0;            // v in (gap, gap+1) for horizontal canals, u for vertical ones
  double s0 = 0, s1 = 0;  // extent along the canal in the other parameter
  double a1, a2, l1, l2, p1, p2;
  std::uint32_t name = 0;
  double offset(double s) const {
    return (horizontal ? 0.375 : 0.625) + a1 * dsin(2 * kPi * s / l1 + p1) +
           a2 * dsin(2 * kPi * s / l2 + p2);
  }
};

struct WayKey {
  std::uint8_t cls = kNone;
  std::uint32_t name = 0;
  std::int8_t oneway = 0;
  bool bridge = false, roundabout = false;
  bool operator==(const WayKey& o) const {
    return cls == o.cls && name == o.name && oneway == o.oneway && bridge == o.bridge &&
           roundabout == o.roundabout;
  }
};
struct Way {
  std::vector<std::int64_t> nodes;
  WayKey key;
  bool canal = false;
};

class Generator {
 public:
  Generator(std::uint64_t seed, double scale) : r_{seed}, seed_(seed), scale_(scale) {
    const double s = std::sqrt(scale);
    nx_ = static_cast<int>(std::lround(63.0 * s)) + 1;
    ny_ = static_cast<int>(std::lround(51.0 * s)) + 1;
    fx_ = kSub * (nx_ - 1) + 1;
    fy_ = kSub * (ny_ - 1) + 1;
    names_.push_back("");
    const double lat_c = 30.725, lon_c = 120.78;
    m_per_deg_lat_ = 110574.0;
    m_per_deg_lon_ = 111320.0 * dcos(lat_c * kPi / 180.0);
    lon0_ = lon_c - (nx_ - 1) * kCell / 2 / m_per_deg_lon_;
    lat0_ = lat_c - (ny_ - 1) * kCell / 2 / m_per_deg_lat_;
  }

  void run() {
    make_lattice();
    make_towns();
    make_roads();
    place_units();
    make_canals();
    place_services();
    build_ways();
  }

  void write(const fs::path& dir) const;

 private:
  // ----- geometry
  XY P(double u, double v) const {
    const int i = std::clamp(static_cast<int>(std::floor(u)), 0, nx_ - 2);
    const int j = std::clamp(static_cast<int>(std::floor(v)), 0, ny_ - 2);
    const double fu = u - i, fv = v - j;
    const XY& a = q_[idx(i, j)];
    const XY& b = q_[idx(i + 1, j)];
    const XY& c = q_[idx(i, j + 1)];
    const XY& d = q_[idx(i + 1, j + 1)];
    return {(1 - fu) * (1 - fv) * a.x + fu * (1 - fv) * b.x + (1 - fu) * fv * c.x + fu * fv * d.x,
            (1 - fu) * (1 - fv) * a.y + fu * (1 - fv) * b.y + (1 - fu) * fv * c.y + fu * fv * d.y};
  }
  std::size_t idx(int i, int j) const { return static_cast<std::size_t>(j) * nx_ + i; }
  std::size_t fidx(int a, int b) const { return static_cast<std::size_t>(b) * fx_ + a; }
  double lon(const XY& p) const { return lon0_ + p.x / m_per_deg_lon_; }
  double lat(const XY& p) const { return lat0_ + p.y / m_per_deg_lat_; }

  // Position of a point on fine row b (horizontal line) at parameter u, rural bends included.
  XY row_point(int b, double u) const {
    double v = static_cast<double>(b) / kSub;
    if (b % kSub == 0) {
      const int i = std::clamp(static_cast<int>(std::floor(u)), 0, nx_ - 2);
      v += bend_h_[idx(i, b / kSub)] * dsin(kPi * (u - i));
    }
    return P(u, v);
  }
  XY col_point(int a, double v) const {
    double u = static_cast<double>(a) / kSub;
    if (a % kSub == 0) {
      const int j = std::clamp(static_cast<int>(std::floor(v)), 0, ny_ - 2);
      u += bend_v_[idx(a / kSub, j)] * dsin(kPi * (v - j));
    }
    return P(u, v);
  }

  int zone_of_cell(int ci, int cj) const {
    if (ci < 0 || cj < 0 || ci >= nx_ - 1 || cj >= ny_ - 1) return -1;
    return zone_[idx(ci, cj)];
  }

  std::uint32_t add_name(const std::string& n) {
    names_.push_back(n);
    return static_cast<std::uint32_t>(names_.size() - 1);
  }

  // ----- edge editing
  Edge& H(int a, int b) { return eh_[fidx(a, b)]; }
  Edge& V(int a, int b) { return ev_[fidx(a, b)]; }
  static void upgrade(Edge& e, std::uint8_t cls, std::uint32_t name, bool must) {
    if (e.cls == kNone || cls < e.cls) {
      e.cls = cls;
      e.name = name;
    } else if (cls == e.cls && e.name == 0) {
      e.name = name;
    }
    e.must_bridge = e.must_bridge || must;
  }
  void upgrade_coarse_h(int i, int j, std::uint8_t cls, std::uint32_t name, bool must) {
    for (int k = 0; k < kSub; ++k) upgrade(H(kSub * i + k, kSub * j), cls, name, must);
  }
  void upgrade_coarse_v(int i, int j, std::uint8_t cls, std::uint32_t name, bool must) {
    for (int k = 0; k < kSub; ++k) upgrade(V(kSub * i, kSub * j + k), cls, name, must);
  }
  // Lattice path along row j from i0 to i1 (any order).
  void path_row(int j, int i0, int i1, std::uint8_t cls, std::uint32_t name, bool must) {
    for (int i = std::min(i0, i1); i < std::max(i0, i1); ++i)
      upgrade_coarse_h(i, j, cls, name, must);
  }
  void path_col(int i, int j0, int j1, std::uint8_t cls, std::uint32_t name, bool must) {
    for (int j = std::min(j0, j1); j < std::max(j0, j1); ++j)
      upgrade_coarse_v(i, j, cls, name, must);
  }

  void make_lattice();
  void make_towns();
  void make_roads();
  void place_units();
  void make_canals();
  void place_services();
  void build_ways();

  // ----- ways and nodes
  std::int64_t new_node(const XY& p) {
    nodes_.push_back(osmium::Location{lon(p), lat(p)});
    return static_cast<std::int64_t>(nodes_.size());
  }
  std::int64_t point_node(int a, int b, int dir);  // dir: 0 E, 1 W, 2 N, 3 S
  void chain_add(std::int64_t n0, std::int64_t n1, const WayKey& key);
  void chain_flush();
  void emit_edge(bool horizontal, int a, int b);

  Rand r_;
  std::uint64_t seed_;
  double scale_;
  int nx_, ny_, fx_, fy_;
  double m_per_deg_lon_, m_per_deg_lat_, lon0_, lat0_;
  std::vector<XY> q_;
  std::vector<double> bend_h_, bend_v_;
  std::vector<int> zone_;
  std::vector<Edge> eh_, ev_;
  std::vector<std::string> names_;
  NamePool pool_;
  std::vector<County> counties_;
  std::vector<Town> towns_;
  std::vector<Unit> units_;
  std::vector<Service> services_;
  std::vector<Canal> canals_;
  std::vector<int> hcanal_, vcanal_;  // canal index per lattice gap, -1 none

  std::vector<osmium::Location> nodes_;
  std::vector<std::int64_t> point_nodes_;
  std::map<std::size_t, std::array<std::int64_t, 4>> roundabout_attach_;
  std::vector<Way> ways_;
  Way chain_;
  bool chain_active_ = false;

 public:
  struct Stats {
    std::size_t bridges = 0, canal_cuts = 0, oneway_ways = 0, roundabouts = 0, canal_ways = 0,
                road_ways = 0;
    double road_km = 0;
  } stats;
};

// ---------------------------------------------------------------- lattice and towns
void Generator::make_lattice() {
  q_.resize(static_cast<std::size_t>(nx_) * ny_);
  for (int j = 0; j < ny_; ++j)
    for (int i = 0; i < nx_; ++i) {
      const double jx = (r_.unit(kJitterX, i, j) - 0.5) * 0.4 * kCell;
      const double jy = (r_.unit(kJitterY, i, j) - 0.5) * 0.4 * kCell;
      q_[idx(i, j)] = {i * kCell + jx, j * kCell + jy};
    }
  eh_.assign(static_cast<std::size_t>(fx_) * fy_, Edge{});
  ev_.assign(static_cast<std::size_t>(fx_) * fy_, Edge{});
  zone_.assign(static_cast<std::size_t>(nx_) * ny_, -1);
  bend_h_.assign(static_cast<std::size_t>(nx_) * ny_, 0.0);
  bend_v_.assign(static_cast<std::size_t>(nx_) * ny_, 0.0);
}

void Generator::make_towns() {
  const int nt = std::max(1, static_cast<int>(std::lround(6.0 * scale_)));
  const double aspect = static_cast<double>(nx_ - 1) / (ny_ - 1);
  const int cols = std::max(1, static_cast<int>(std::lround(std::sqrt(nt * aspect))));
  const int rows = (nt + cols - 1) / cols;
  const double cw = static_cast<double>(nx_ - 1) / cols, ch = static_cast<double>(ny_ - 1) / rows;
  // Row-major from the north-west, as a map is read.
  for (int k = 0; k < nt; ++k) {
    const int c = k % cols, rr = rows - 1 - k / cols;
    Town t;
    t.ti = static_cast<int>(std::lround((c + 0.5) * cw)) + r_.range(-2, 2, kTownJitter, k, 0);
    t.tj = static_cast<int>(std::lround((rr + 0.5) * ch)) + r_.range(-2, 2, kTownJitter, k, 1);
    t.county = k / 60;
    towns_.push_back(t);
  }
  const int nc = towns_.back().county + 1;
  counties_.resize(static_cast<std::size_t>(nc));
  for (int c = 0; c < nc; ++c) {
    County& cty = counties_[static_cast<std::size_t>(c)];
    cty.code = std::to_string(330499 - c);
    cty.name = c == 0 ? "示例县" : "示例" + std::to_string(c + 1) + "县";
    double cu = 0, cv = 0;
    int n = 0;
    for (const Town& t : towns_)
      if (t.county == c) cu += t.ti, cv += t.tj, ++n;
    cu /= n, cv /= n;
    double best = 1e18;
    for (std::size_t k = 0; k < towns_.size(); ++k) {
      if (towns_[k].county != c) continue;
      const double d =
          (towns_[k].ti - cu) * (towns_[k].ti - cu) + (towns_[k].tj - cv) * (towns_[k].tj - cv);
      if (d < best) best = d, cty.seat = static_cast<int>(k);
    }
    towns_[static_cast<std::size_t>(cty.seat)].seat = true;
  }
  // Seats and their nearest neighbour are 街道 (urban subdistricts); seats get a bigger centre.
  std::vector<bool> street(towns_.size(), false);
  for (const County& cty : counties_) {
    const Town& s = towns_[static_cast<std::size_t>(cty.seat)];
    street[static_cast<std::size_t>(cty.seat)] = true;
    int near = -1;
    double best = 1e18;
    for (std::size_t k = 0; k < towns_.size(); ++k) {
      if (towns_[k].seat || towns_[k].county != s.county) continue;
      const double d = (towns_[k].ti - s.ti) * (towns_[k].ti - s.ti) +
                       (towns_[k].tj - s.tj) * (towns_[k].tj - s.tj);
      if (d < best) best = d, near = static_cast<int>(k);
    }
    if (near >= 0) street[static_cast<std::size_t>(near)] = true;
  }
  for (std::size_t k = 0; k < towns_.size(); ++k) {
    Town& t = towns_[k];
    County& cty = counties_[static_cast<std::size_t>(t.county)];
    t.type = street[k] ? "街道" : "镇";
    t.radius = t.seat ? 3 : 2;
    t.ti = std::clamp(t.ti, t.radius + 2, nx_ - 3 - t.radius);
    t.tj = std::clamp(t.tj, t.radius + 2, ny_ - 3 - t.radius);
    t.name = pool_.make(r_, 1000 + k, kTownA, kTownB, t.type);
    char code[16];
    if (street[k])
      std::snprintf(code, sizeof code, "%03d", 1 + cty.streets++);
    else
      std::snprintf(code, sizeof code, "%03d", 100 + cty.towns++);
    t.code = cty.code + code;
    for (int cj = t.tj - t.radius; cj < t.tj + t.radius; ++cj)
      for (int ci = t.ti - t.radius; ci < t.ti + t.radius; ++ci)
        zone_[idx(ci, cj)] = static_cast<int>(k);
  }
}

// ---------------------------------------------------------------- roads
void Generator::make_roads() {
  // Rural bends: only lattice edges away from any town grid (whose streets end on them).
  for (int j = 0; j < ny_; ++j)
    for (int i = 0; i + 1 < nx_; ++i)
      if (zone_of_cell(i, j) < 0 && zone_of_cell(i, j - 1) < 0)
        bend_h_[idx(i, j)] = (r_.unit(kBend, i, j, 0) - 0.5) * 0.16;
  for (int j = 0; j + 1 < ny_; ++j)
    for (int i = 0; i < nx_; ++i)
      if (zone_of_cell(i, j) < 0 && zone_of_cell(i - 1, j) < 0)
        bend_v_[idx(i, j)] = (r_.unit(kBend, i, j, 1) - 0.5) * 0.16;

  // County primary roads through each seat (the roundabout sits on their crossing).
  for (std::size_t c = 0; c < counties_.size(); ++c) {
    const Town& s = towns_[static_cast<std::size_t>(counties_[c].seat)];
    const std::uint32_t ew = add_name(c == 0 ? "禾丰大道" : pool_.road(r_, 50 + c, "大道"));
    const std::uint32_t ns = add_name(c == 0 ? "长水路" : pool_.road(r_, 70 + c, "路"));
    if (c == 0) pool_.reserve("禾丰大道"), pool_.reserve("长水路");
    path_row(s.tj, 0, nx_ - 1, kPrimary, ew, true);
    path_col(s.ti, 0, ny_ - 1, kPrimary, ns, true);
  }
  // Secondary roads between neighbouring towns (L-shaped along lattice lines).
  const int nt = static_cast<int>(towns_.size());
  const double aspect = static_cast<double>(nx_ - 1) / (ny_ - 1);
  const int cols = std::max(1, static_cast<int>(std::lround(std::sqrt(nt * aspect))));
  for (int k = 0; k < nt; ++k) {
    for (int other : {k + 1, k + cols}) {
      if (other >= nt || (other == k + 1 && (k + 1) % cols == 0)) continue;
      const Town& a = towns_[static_cast<std::size_t>(k)];
      const Town& b = towns_[static_cast<std::size_t>(other)];
      // Name like 荷梅线: first syllables of both towns.
      auto first = [](const std::string& s) { return s.substr(0, 3); };
      const std::uint32_t nm = add_name(first(a.name) + first(b.name) + "线");
      if (other == k + 1) {
        path_row(a.tj, a.ti, b.ti, kSecondary, nm, true);
        path_col(b.ti, a.tj, b.tj, kSecondary, nm, true);
      } else {
        path_col(a.ti, a.tj, b.tj, kSecondary, nm, true);
        path_row(b.tj, a.ti, b.ti, kSecondary, nm, true);
      }
    }
  }
  // County roads (tertiary): a ~2 km grid across the whole county.
  for (int j = 2; j < ny_ - 1; j += 4)
    path_row(j, 0, nx_ - 1, kTertiary, add_name(pool_.road(r_, 100000 + j, "路")), true);
  for (int i = 2; i < nx_ - 1; i += 5)
    path_col(i, 0, ny_ - 1, kTertiary, add_name(pool_.road(r_, 200000 + i, "路")), true);

  // Remaining lattice edges outside towns: village roads, field tracks, paths.
  auto rural_class = [&](int i, int j, int o) -> std::uint8_t {
    const double x = r_.unit(kRuralClass, i, j, o);
    if (x < 0.30) return kUnclassified;
    if (x < 0.52) return kTrack;
    if (x < 0.60) return kPath;
    if (x < 0.63) return kFootway;
    if (x < 0.65) return kService;
    return kNone;
  };
  for (int j = 0; j < ny_; ++j)
    for (int i = 0; i + 1 < nx_; ++i)
      if (zone_of_cell(i, j) < 0 && zone_of_cell(i, j - 1) < 0 &&
          H(kSub * i, kSub * j).cls == kNone) {
        const std::uint8_t c = rural_class(i, j, 0);
        if (c != kNone) upgrade_coarse_h(i, j, c, 0, false);
      }
  for (int j = 0; j + 1 < ny_; ++j)
    for (int i = 0; i < nx_; ++i)
      if (zone_of_cell(i, j) < 0 && zone_of_cell(i - 1, j) < 0 &&
          V(kSub * i, kSub * j).cls == kNone) {
        const std::uint8_t c = rural_class(i, j, 1);
        if (c != kNone) upgrade_coarse_v(i, j, c, 0, false);
      }

  // Town centres: a 125 m street grid; every lattice line inside is at least residential.
  for (std::size_t k = 0; k < towns_.size(); ++k) {
    const Town& t = towns_[k];
    const int a0 = kSub * (t.ti - t.radius), a1 = kSub * (t.ti + t.radius);
    const int b0 = kSub * (t.tj - t.radius), b1 = kSub * (t.tj + t.radius);
    std::vector<std::uint32_t> row_name(static_cast<std::size_t>(b1 - b0 + 1)),
        col_name(static_cast<std::size_t>(a1 - a0 + 1));
    for (int b = b0; b <= b1; ++b) {
      const char* suffix = b % kSub == 0 ? "路" : (b % 2 == 0 ? "街" : "弄");
      row_name[static_cast<std::size_t>(b - b0)] =
          add_name(pool_.road(r_, 300000 + k * 1000 + b - b0, suffix));
    }
    for (int a = a0; a <= a1; ++a) {
      const char* suffix = a % kSub == 0 ? "路" : (a % 2 == 0 ? "街" : "巷");
      col_name[static_cast<std::size_t>(a - a0)] =
          add_name(pool_.road(r_, 400000 + k * 1000 + a - a0, suffix));
    }
    for (int b = b0; b <= b1; ++b)
      for (int a = a0; a < a1; ++a) {
        const std::uint32_t nm = row_name[static_cast<std::size_t>(b - b0)];
        Edge& e = H(a, b);
        if (b % kSub == 0 || b == b0 || b == b1) {
          upgrade(e, kResidential, nm, true);
          continue;
        }
        if (b % kSub != 2 && b > b0 + 1 && b < b1 - 1) {  // one-way pairs (alternating)
          upgrade(e, kResidential, nm, true);
          e.oneway = static_cast<std::int8_t>(b % kSub == 1 ? 1 : -1);
          continue;
        }
        const double x = r_.unit(kTownClass, a, b, 0);
        if (x < 0.80)
          upgrade(e, kResidential, nm, false);
        else if (x < 0.85)
          upgrade(e, kLiving, nm, false);
        else if (x < 0.90)
          upgrade(e, kFootway, 0, false);
        else if (x < 0.93)
          upgrade(e, kService, 0, false);
      }
    for (int a = a0; a <= a1; ++a)
      for (int b = b0; b < b1; ++b) {
        const std::uint32_t nm = col_name[static_cast<std::size_t>(a - a0)];
        Edge& e = V(a, b);
        if (a % kSub == 0 || a == a0 || a == a1) {
          upgrade(e, kResidential, nm, true);
          continue;
        }
        const double x = r_.unit(kTownClass, a, b, 1);
        if (x < 0.82)
          upgrade(e, kResidential, nm, false);
        else if (x < 0.86)
          upgrade(e, kLiving, nm, false);
        else if (x < 0.91)
          upgrade(e, kFootway, 0, false);
        else if (x < 0.94)
          upgrade(e, kService, 0, false);
      }
  }
}

// ---------------------------------------------------------------- villages and communities
void Generator::place_units() {
  NamePool& pool = pool_;
  // Rural villages on lattice points away from town centres, at least 1.5 km apart.
  struct Cand {
    std::uint64_t key;
    int i, j, town;
  };
  std::vector<Cand> cands;
  for (int j = 2; j <= ny_ - 3; ++j)
    for (int i = 2; i <= nx_ - 3; ++i) {
      bool near_zone = false;
      for (int dj = -2; dj <= 1 && !near_zone; ++dj)
        for (int di = -2; di <= 1 && !near_zone; ++di)
          near_zone = zone_of_cell(i + di, j + dj) >= 0;
      if (near_zone) continue;
      int best = 0;
      double bd = 1e18;
      for (std::size_t k = 0; k < towns_.size(); ++k) {
        const double d =
            (towns_[k].ti - i) * (towns_[k].ti - i) + (towns_[k].tj - j) * (towns_[k].tj - j);
        if (d < bd) bd = d, best = static_cast<int>(k);
      }
      cands.push_back({r_.bits(kVillageOrder, i, j), i, j, best});
    }
  std::sort(cands.begin(), cands.end(), [](const Cand& x, const Cand& y) {
    return x.key != y.key ? x.key < y.key : (x.j != y.j ? x.j < y.j : x.i < y.i);
  });
  std::vector<int> want(towns_.size()), have(towns_.size(), 0);
  for (std::size_t k = 0; k < towns_.size(); ++k)
    want[k] = towns_[k].seat
                  ? 5
                  : (towns_[k].type == "街道"
                         ? 8
                         : 14 + static_cast<int>(
                                    r_.bits(kVillageOrder, static_cast<std::int64_t>(k), -1) % 3));
  std::vector<Unit> villages;
  for (const Cand& c : cands) {
    const auto k = static_cast<std::size_t>(c.town);
    if (have[k] >= want[k]) continue;
    bool ok = true;
    for (const Unit& o : villages)
      if ((o.li - c.i) * (o.li - c.i) + (o.lj - c.j) * (o.lj - c.j) < 9) {  // < 3 units
        ok = false;
        break;
      }
    if (!ok) continue;
    Unit u;
    u.li = c.i, u.lj = c.j, u.town = c.town, u.type = "村";
    u.u = c.i + (r_.unit(kVillageOffX, c.i, c.j) - 0.5) * 0.56;
    u.v = c.j + (r_.unit(kVillageOffY, c.i, c.j) - 0.5) * 0.56;
    u.population =
        1000 + static_cast<int>(std::lround(
                   3000.0 * (r_.unit(kPop1, c.i, c.j) + r_.unit(kPop2, c.i, c.j)) / 2.0));
    villages.push_back(u);
    ++have[k];
  }
  // Each village connects to the nearest county road by a village road (always bridged).
  for (const Unit& v : villages) {
    auto main = [](const Edge& e) { return e.cls != kNone && e.cls <= kTertiary; };
    auto is_main_col = [&](int i) {
      return main(V(kSub * i, kSub * v.lj)) || main(V(kSub * i, kSub * v.lj - 1));
    };
    auto is_main_row = [&](int j) {
      return main(H(kSub * v.li, kSub * j)) || main(H(kSub * v.li - 1, kSub * j));
    };
    int best_d = 1 << 30, target = 0;
    bool along_row = true;
    for (int d = 0; d < std::max(nx_, ny_) && best_d == (1 << 30); ++d) {
      for (int sgn : {-1, 1}) {
        const int i = v.li + sgn * d, j = v.lj + sgn * d;
        if (i >= 0 && i < nx_ && is_main_col(i) && d < best_d)
          best_d = d, target = i, along_row = true;
        if (j >= 0 && j < ny_ && is_main_row(j) && d < best_d)
          best_d = d, target = j, along_row = false;
      }
    }
    if (best_d == (1 << 30)) continue;
    if (along_row)
      path_row(v.lj, v.li, target, kUnclassified, 0, true);
    else
      path_col(v.li, v.lj, target, kUnclassified, 0, true);
  }
  // Communities in the town centres (fine lattice points), at least ~300 m apart.
  std::vector<Unit> communities;
  for (std::size_t k = 0; k < towns_.size(); ++k) {
    const Town& t = towns_[k];
    const int n = t.seat ? 10 : (t.type == "街道" ? 6 : 3);
    std::vector<std::pair<std::uint64_t, std::pair<int, int>>> pts;
    for (int b = kSub * (t.tj - t.radius) + 1; b < kSub * (t.tj + t.radius); ++b)
      for (int a = kSub * (t.ti - t.radius) + 1; a < kSub * (t.ti + t.radius); ++a) {
        if (std::abs(a - kSub * t.ti) <= 1 && std::abs(b - kSub * t.tj) <= 1) continue;
        pts.push_back({r_.bits(kCommunityOrder, a, b), {a, b}});
      }
    std::sort(pts.begin(), pts.end());
    int got = 0;
    for (const auto& [key, ab] : pts) {
      if (got >= n) break;
      bool ok = true;
      for (const Unit& o : communities)
        if ((o.li - ab.first) * (o.li - ab.first) + (o.lj - ab.second) * (o.lj - ab.second) < 7)
          ok = false;
      if (!ok) continue;
      Unit u;
      u.li = ab.first, u.lj = ab.second, u.town = static_cast<int>(k), u.type = "社区";
      u.u = ab.first / static_cast<double>(kSub) +
            (r_.unit(kVillageOffX, ab.first, ab.second, 7) - 0.5) * 0.12;
      u.v = ab.second / static_cast<double>(kSub) +
            (r_.unit(kVillageOffY, ab.first, ab.second, 7) - 0.5) * 0.12;
      u.population = 3000 + static_cast<int>(std::lround(9000.0 *
                                                         (r_.unit(kPop1, ab.first, ab.second, 7) +
                                                          r_.unit(kPop2, ab.first, ab.second, 7)) /
                                                         2.0));
      communities.push_back(u);
      ++got;
    }
  }
  // Codes: town code + 001.. for communities (居委会), 201.. for villages (村委会).
  std::vector<int> ncomm(towns_.size(), 0), nvill(towns_.size(), 0);
  auto sort_units = [](std::vector<Unit>& v) {  // north to south, west to east
    std::sort(v.begin(), v.end(), [](const Unit& x, const Unit& y) {
      if (x.town != y.town) return x.town < y.town;
      if (x.lj != y.lj) return x.lj > y.lj;
      return x.li < y.li;
    });
  };
  sort_units(communities);
  sort_units(villages);
  std::uint64_t salt = 0;
  for (Unit& u : communities) {
    const auto k = static_cast<std::size_t>(u.town);
    char c[16];
    std::snprintf(c, sizeof c, "%03d", 1 + ncomm[k]++);
    u.id = towns_[k].code + c;
    u.name = pool.make(r_, 5000000 + salt++, kCommA, kCommB, "社区");
  }
  for (Unit& u : villages) {
    const auto k = static_cast<std::size_t>(u.town);
    char c[16];
    std::snprintf(c, sizeof c, "%03d", 201 + nvill[k]++);
    u.id = towns_[k].code + c;
    u.name = pool.make(r_, 6000000 + salt++, kVillA, kVillB, "村");
  }
  units_ = std::move(communities);
  units_.insert(units_.end(), villages.begin(), villages.end());
  std::sort(units_.begin(), units_.end(), [](const Unit& x, const Unit& y) { return x.id < y.id; });
}

// ---------------------------------------------------------------- canals
void Generator::make_canals() {
  hcanal_.assign(static_cast<std::size_t>(ny_), -1);
  vcanal_.assign(static_cast<std::size_t>(nx_), -1);
  auto make = [&](bool horizontal, int gap, int n_along, int k) {
    Canal c;
    c.horizontal = horizontal;
    c.gap = gap;
    const std::int64_t h = horizontal ? 0 : 1;
    c.a1 = 0.035, c.a2 = 0.02;
    c.l1 = 6.0 + 8.0 * r_.unit(kCanalPhase, h, gap, 0);
    c.l2 = 2.0 + 2.0 * r_.unit(kCanalPhase, h, gap, 1);
    c.p1 = 2 * kPi * r_.unit(kCanalPhase, h, gap, 2);
    c.p2 = 2 * kPi * r_.unit(kCanalPhase, h, gap, 3);
    const bool major = k % 2 == 0;
    if (major) {
      c.s0 = -0.45;
      c.s1 = n_along - 1 + 0.45;
    } else {  // feeder canal (浜): 4-14 cells long, ends between fine lines
      const int len = r_.range(4, 14, kCanalSpan, h, gap, 0);
      const int start = r_.range(0, std::max(0, n_along - 1 - len), kCanalSpan, h, gap, 1);
      c.s0 = start + 0.4;
      c.s1 = std::min(n_along - 1.0 - 0.1, start + len + 0.4);
    }
    const std::string suffix = major ? (k % 4 == 0 ? "塘" : "港") : (k % 3 == 0 ? "浜" : "泾");
    if (major || r_.unit(kCanalName, h, gap) < 0.7)
      c.name = add_name(pool_.make(r_, 7000000 + (h << 20) + static_cast<std::uint64_t>(gap),
                                   kTownA, kVillB, suffix));
    canals_.push_back(c);
    (horizontal ? hcanal_ : vcanal_)[static_cast<std::size_t>(gap)] =
        static_cast<int>(canals_.size() - 1);
  };
  int k = 0;
  for (int j = 1 + r_.range(0, 3, kCanalGap, 0, -1); j < ny_ - 2;
       j += r_.range(5, 8, kCanalGap, 0, j))
    make(true, j, nx_, k++);
  k = 0;
  for (int i = 2 + r_.range(0, 3, kCanalGap, 1, -1); i < nx_ - 2;
       i += r_.range(6, 9, kCanalGap, 1, i))
    make(false, i, ny_, k++);
}

// ---------------------------------------------------------------- services
void Generator::place_services() {
  auto fine = [](int a, int b) { return std::pair<double, double>{a / 4.0, b / 4.0}; };
  std::vector<Service> centres, stations, points;
  for (std::size_t c = 0; c < counties_.size(); ++c) {
    const Town& s = towns_[static_cast<std::size_t>(counties_[c].seat)];
    Service sv;
    sv.id = "C" + counties_[c].code;
    sv.name = counties_[c].name + "公共法律服务中心";
    sv.tier = "center";
    sv.town = counties_[c].seat;
    auto [u, v] = fine(kSub * s.ti - 2, kSub * (s.tj + 1));
    sv.u = u + 0.02, sv.v = v + 0.05;
    centres.push_back(sv);
  }
  for (std::size_t k = 0; k < towns_.size(); ++k) {
    const Town& t = towns_[k];
    Service sv;
    sv.id = "T" + t.code;
    sv.name = t.name + "公共法律服务工作站";
    sv.tier = "town_station";
    sv.town = static_cast<int>(k);
    auto [u, v] = t.seat ? fine(kSub * (t.ti + 1) + 2, kSub * (t.tj - 1))
                         : fine(kSub * t.ti + 2, kSub * t.tj);
    sv.u = u + 0.01, sv.v = v - 0.06;
    stations.push_back(sv);
  }
  // Village points: a few distant villages (at most one per town) and one seat community.
  const int n_village = std::max(1, static_cast<int>(std::lround(4.0 * scale_)));
  std::vector<std::pair<std::uint64_t, std::size_t>> order;
  for (std::size_t k = 0; k < units_.size(); ++k)
    order.push_back({r_.bits(kPointOrder, static_cast<std::int64_t>(k)), k});
  std::sort(order.begin(), order.end());
  std::vector<bool> town_has(towns_.size(), false);
  int got = 0;
  bool community_done = false;
  for (const auto& [key, k] : order) {
    const Unit& u = units_[k];
    const Town& t = towns_[static_cast<std::size_t>(u.town)];
    Service sv;
    sv.id = "V" + u.id;
    sv.name = u.name + "公共法律服务点";
    sv.tier = "village_point";
    sv.town = u.town;
    sv.u = u.u + 0.08, sv.v = u.v + 0.03;
    if (u.type == "村") {
      const double d2 = (u.li - t.ti) * (u.li - t.ti) + (u.lj - t.tj) * (u.lj - t.tj);
      if (got >= n_village || town_has[static_cast<std::size_t>(u.town)] || d2 < 36) continue;
      town_has[static_cast<std::size_t>(u.town)] = true;
      ++got;
      points.push_back(sv);
    } else if (!community_done && t.seat) {
      community_done = true;
      points.push_back(sv);
    }
  }
  std::sort(points.begin(), points.end(),
            [](const Service& a, const Service& b) { return a.id < b.id; });
  services_ = centres;
  services_.insert(services_.end(), stations.begin(), stations.end());
  services_.insert(services_.end(), points.begin(), points.end());
}

// ---------------------------------------------------------------- nodes and ways
std::int64_t Generator::point_node(int a, int b, int dir) {
  const std::size_t key = fidx(a, b);
  if (auto it = roundabout_attach_.find(key); it != roundabout_attach_.end())
    return it->second[static_cast<std::size_t>(dir)];
  std::int64_t& n = point_nodes_[key];
  if (n == 0) n = new_node(b % kSub == 0 ? row_point(b, a / 4.0) : col_point(a, b / 4.0));
  return n;
}

void Generator::chain_flush() {
  if (chain_active_ && chain_.nodes.size() >= 2) ways_.push_back(chain_);
  chain_.nodes.clear();
  chain_active_ = false;
}

void Generator::chain_add(std::int64_t n0, std::int64_t n1, const WayKey& key) {
  if (chain_active_ && chain_.key == key && chain_.nodes.back() == n0 &&
      chain_.nodes.size() < 400) {
    chain_.nodes.push_back(n1);
    return;
  }
  chain_flush();
  chain_.key = key;
  chain_.canal = false;
  chain_.nodes = {n0, n1};
  chain_active_ = true;
}

// One fine edge: its intermediate nodes, and a bridge or a cut where a canal crosses it.
void Generator::emit_edge(bool horizontal, int a, int b) {
  const Edge& e = horizontal ? eh_[fidx(a, b)] : ev_[fidx(a, b)];
  if (e.cls == kNone) {
    chain_flush();
    return;
  }
  const double s0 = (horizontal ? a : b) / 4.0;  // parameter along the line
  auto at = [&](double t) {
    return horizontal ? row_point(b, s0 + 0.25 * t) : col_point(a, s0 + 0.25 * t);
  };
  // Canal crossing (only the sub-edge [0.5,0.75] of a lattice cell for vertical canals, and
  // [0.25,0.5] for horizontal ones).
  double tc = -1;
  if (horizontal && a % kSub == 2) {
    const int ci = vcanal_[static_cast<std::size_t>(a / kSub)];
    const double v = b / 4.0;
    if (ci >= 0 && v > canals_[static_cast<std::size_t>(ci)].s0 &&
        v < canals_[static_cast<std::size_t>(ci)].s1)
      tc = (a / kSub + canals_[static_cast<std::size_t>(ci)].offset(v) - s0) / 0.25;
  } else if (!horizontal && b % kSub == 1) {
    const int ci = hcanal_[static_cast<std::size_t>(b / kSub)];
    const double u = a / 4.0;
    if (ci >= 0 && u > canals_[static_cast<std::size_t>(ci)].s0 &&
        u < canals_[static_cast<std::size_t>(ci)].s1)
      tc = (b / kSub + canals_[static_cast<std::size_t>(ci)].offset(u) - s0) / 0.25;
  }
  const std::int64_t key_salt = horizontal ? 0 : 1;
  const bool rural = e.cls != kResidential && e.cls != kLiving;
  const int max_inter = (e.cls >= kTrack || !rural) ? 1 : 2;
  const int k = r_.range(0, max_inter, kInter, a, b, key_salt);
  std::vector<double> ts;
  for (int m = 0; m < k; ++m)
    ts.push_back((m + 1.0) / (k + 1) +
                 (r_.unit(kInterPos, a, b, key_salt * 8 + m) - 0.5) * 0.3 / (k + 1));

  const int dir_start = horizontal ? 0 : 2, dir_end = horizontal ? 1 : 3;
  const std::int64_t n_start = point_node(a, b, dir_start);
  const std::int64_t n_end =
      horizontal ? point_node(a + 1, b, dir_end) : point_node(a, b + 1, dir_end);
  // Drop intermediate nodes inside a roundabout.
  auto inside_roundabout = [&](double t) {
    for (const auto& [key, attach] : roundabout_attach_) {
      (void)attach;
      const int ca = static_cast<int>(key % static_cast<std::size_t>(fx_)),
                cb = static_cast<int>(key / static_cast<std::size_t>(fx_));
      const XY c = P(ca / 4.0, cb / 4.0), p = at(t);
      if ((c.x - p.x) * (c.x - p.x) + (c.y - p.y) * (c.y - p.y) < 45.0 * 45.0) return true;
    }
    return false;
  };
  WayKey key{e.cls, e.name, e.oneway, false, false};
  struct Station {
    double t;
    int kind;  // 0 normal, 1 bridge start, 2 bridge end, 3 cut start, 4 cut end
  };
  std::vector<Station> st;
  for (double t : ts)
    if ((tc < 0 || std::abs(t - tc) > 0.26) && !inside_roundabout(t)) st.push_back({t, 0});
  if (tc >= 0) {
    const double p = e.must_bridge                               ? 1.0
                     : e.cls == kUnclassified                    ? 0.6
                     : e.cls == kResidential || e.cls == kLiving ? 0.7
                     : e.cls == kFootway                         ? 0.6
                                                                 : 0.35;
    if (r_.unit(kBridge, a, b, key_salt) < p) {
      st.push_back({tc - 0.12, 1});
      st.push_back({tc + 0.12, 2});
      ++stats.bridges;
    } else {
      st.push_back({tc - 0.2, 3});
      st.push_back({tc + 0.2, 4});
      ++stats.canal_cuts;
    }
  }
  std::sort(st.begin(), st.end(), [](const Station& x, const Station& y) { return x.t < y.t; });
  std::int64_t prev = n_start;
  bool in_bridge = false;
  for (const Station& s : st) {
    if (s.kind == 4) {  // after a cut: start afresh at the far bank
      prev = new_node(at(s.t));
      continue;
    }
    const std::int64_t n = new_node(at(s.t));
    WayKey kk = key;
    kk.bridge = in_bridge;
    chain_add(prev, n, kk);
    if (s.kind == 1) in_bridge = true;
    if (s.kind == 2) in_bridge = false;
    if (s.kind == 3) chain_flush();
    prev = n;
  }
  chain_add(prev, n_end, key);
}

void Generator::build_ways() {
  point_nodes_.assign(static_cast<std::size_t>(fx_) * fy_, 0);
  // Roundabouts at the seats' central crossing: 16 nodes, 30 m radius, counter-clockwise.
  for (const County& cty : counties_) {
    const Town& s = towns_[static_cast<std::size_t>(cty.seat)];
    const int ca = kSub * s.ti, cb = kSub * s.tj;
    const XY c = P(s.ti, s.tj);
    std::array<std::int64_t, 16> ring{};
    std::array<XY, 16> dirs{};
    for (int k = 0; k < 16; ++k) {
      const double th = 2 * kPi * k / 16;
      dirs[static_cast<std::size_t>(k)] = {dcos(th), dsin(th)};
      ring[static_cast<std::size_t>(k)] = new_node({c.x + 30.0 * dcos(th), c.y + 30.0 * dsin(th)});
    }
    std::array<std::int64_t, 4> attach{};
    const std::array<std::pair<int, int>, 4> nb = {
        {{ca + 1, cb}, {ca - 1, cb}, {ca, cb + 1}, {ca, cb - 1}}};
    for (int d = 0; d < 4; ++d) {
      const XY p = P(nb[static_cast<std::size_t>(d)].first / 4.0,
                     nb[static_cast<std::size_t>(d)].second / 4.0);
      const double dx = p.x - c.x, dy = p.y - c.y;
      int best = 0;
      double bd = -1e18;
      for (int k = 0; k < 16; ++k) {
        const double dot =
            dx * dirs[static_cast<std::size_t>(k)].x + dy * dirs[static_cast<std::size_t>(k)].y;
        if (dot > bd) bd = dot, best = k;
      }
      attach[static_cast<std::size_t>(d)] = ring[static_cast<std::size_t>(best)];
    }
    roundabout_attach_[fidx(ca, cb)] = attach;
    Way w;
    w.key = WayKey{kPrimary, 0, 0, false, true};
    w.nodes.assign(ring.begin(), ring.end());
    w.nodes.push_back(ring[0]);
    ways_.push_back(w);
    ++stats.roundabouts;
  }
  for (int b = 0; b < fy_; ++b) {
    for (int a = 0; a + 1 < fx_; ++a) emit_edge(true, a, b);
    chain_flush();
  }
  for (int a = 0; a < fx_; ++a) {
    for (int b = 0; b + 1 < fy_; ++b) emit_edge(false, a, b);
    chain_flush();
  }
  // Canals: sampled every 0.1 lattice units (and at every lattice line, where the bilinear
  // map bends), split into ways of at most 200 nodes.
  for (const Canal& c : canals_) {
    std::vector<double> ss{c.s0};
    for (int k = static_cast<int>(std::floor(c.s0 * 10)) + 1; k / 10.0 < c.s1; ++k)
      if (k / 10.0 > c.s0 + 1e-9) ss.push_back(k / 10.0);
    ss.push_back(c.s1);
    std::vector<std::int64_t> pts;
    for (double s : ss) {
      const double o = c.gap + c.offset(s);
      pts.push_back(new_node(c.horizontal ? P(s, o) : P(o, s)));
    }
    for (std::size_t k = 0; k + 1 < pts.size(); k += 199) {
      Way w;
      w.canal = true;
      w.key.name = c.name;
      w.nodes.assign(pts.begin() + static_cast<std::ptrdiff_t>(k),
                     pts.begin() + static_cast<std::ptrdiff_t>(std::min(pts.size(), k + 200)));
      ways_.push_back(w);
      ++stats.canal_ways;
    }
  }
  for (const Way& w : ways_) {
    if (w.canal) continue;
    ++stats.road_ways;
    if (w.key.oneway != 0) ++stats.oneway_ways;
    for (std::size_t k = 0; k + 1 < w.nodes.size(); ++k) {
      const auto& p = nodes_[static_cast<std::size_t>(w.nodes[k] - 1)];
      const auto& q = nodes_[static_cast<std::size_t>(w.nodes[k + 1] - 1)];
      const double dx = (p.lon() - q.lon()) * m_per_deg_lon_,
                   dy = (p.lat() - q.lat()) * m_per_deg_lat_;
      stats.road_km += std::sqrt(dx * dx + dy * dy) / 1000.0;
    }
  }
}

// ---------------------------------------------------------------- output
std::string fixed7(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.7f", x);
  return buf;
}

void write_text(const fs::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << s;
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

void Generator::write(const fs::path& dir) const {
  fs::create_directories(dir);
  // roads.osm.pbf: uncompressed blocks, no metadata, fixed generator string.
  {
    const fs::path p = dir / "roads.osm.pbf";
    osmium::io::File file{p.string(), "pbf"};
    file.set("pbf_compression", "none");
    file.set("add_metadata", "false");
    osmium::io::Header header;
    header.set("generator", "legalcircle_generate");
    header.set("sorting", "Type_then_ID");
    osmium::io::Writer writer{file, header, osmium::io::overwrite::allow};
    using namespace osmium::builder::attr;
    osmium::memory::Buffer buffer{1 << 22, osmium::memory::Buffer::auto_grow::yes};
    auto flush = [&](bool force) {
      if (buffer.committed() > (1 << 21) || (force && buffer.committed() > 0)) {
        writer(std::move(buffer));
        buffer = osmium::memory::Buffer{1 << 22, osmium::memory::Buffer::auto_grow::yes};
      }
    };
    for (std::size_t k = 0; k < nodes_.size(); ++k) {
      osmium::builder::add_node(buffer, _id(static_cast<osmium::object_id_type>(k + 1)),
                                _location(nodes_[k]));
      flush(false);
    }
    std::int64_t wid = 1;
    for (const Way& w : ways_) {
      std::vector<std::pair<std::string, std::string>> tags;
      if (w.canal) {
        tags.push_back({"waterway", "canal"});
        if (w.key.name) tags.push_back({"name", names_[w.key.name]});
      } else {
        tags.push_back({"highway", highway_value(w.key.cls)});
        if (w.key.name) tags.push_back({"name", names_[w.key.name]});
        if (w.key.oneway == 1) tags.push_back({"oneway", "yes"});
        if (w.key.oneway == -1) tags.push_back({"oneway", "-1"});
        if (w.key.roundabout) tags.push_back({"junction", "roundabout"});
        if (w.key.bridge) {
          tags.push_back({"bridge", "yes"});
          tags.push_back({"layer", "1"});
        }
      }
      osmium::builder::add_way(buffer, _id(wid++), _nodes(w.nodes), _tags(tags));
      flush(false);
    }
    flush(true);
    writer.close();
  }
  // villages.geojson: one feature per line, fixed property order, 7-decimal coordinates.
  {
    std::string s = "{\"type\":\"FeatureCollection\",\"features\":[\n";
    for (std::size_t k = 0; k < units_.size(); ++k) {
      const Unit& u = units_[k];
      const Town& t = towns_[static_cast<std::size_t>(u.town)];
      const County& c = counties_[static_cast<std::size_t>(t.county)];
      const XY p = P(u.u, u.v);
      nlohmann::ordered_json props;
      props["id"] = u.id;
      props["name"] = u.name;
      props["type"] = u.type;
      props["population"] = u.population;
      props["county"] = c.name;
      props["county_code"] = c.code;
      props["town"] = t.name;
      props["town_code"] = t.code;
      props["village_code"] = u.id;
      props["area_class"] = u.type == "社区" ? "urban" : "rural";
      s += "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[" +
           fixed7(lon(p)) + "," + fixed7(lat(p)) +
           "]},\"properties\":" + props.dump(-1, ' ', false) + "}";
      s += k + 1 < units_.size() ? ",\n" : "\n";
    }
    s += "]}\n";
    write_text(dir / "villages.geojson", s);
  }
  // services.csv
  {
    std::string s = "id,name,tier,lon,lat,town\n";
    for (const Service& sv : services_) {
      const XY p = P(sv.u, sv.v);
      s += sv.id + "," + sv.name + "," + sv.tier + "," + fixed7(lon(p)) + "," + fixed7(lat(p)) +
           "," + towns_[static_cast<std::size_t>(sv.town)].name + "\n";
    }
    write_text(dir / "services.csv", s);
  }
  // README.md
  {
    std::size_t n_comm = 0, n_vill = 0;
    long long pop = 0;
    for (const Unit& u : units_) (u.type == "社区" ? n_comm : n_vill)++, pop += u.population;
    std::map<std::string, int> tiers;
    for (const Service& sv : services_) ++tiers[sv.tier];
    std::size_t canal_nodes = 0;
    for (const Way& w : ways_)
      if (w.canal) canal_nodes += w.nodes.size();
    std::ostringstream o;
    char scale_txt[32];
    std::snprintf(scale_txt, sizeof scale_txt, "%g", scale_);
    o << "# Synthetic county (示例县) — the embedded default dataset\n\n"
      << "**SYNTHETIC data generated by `src/tools/generate_county.cpp`, seed " << seed_
      << ", scale " << scale_txt << "; not a real place.** "
      << "Names, codes, populations, roads, canals and service points are invented. The layout "
         "imitates a\n"
      << "Jiaxing-like water-town county (水乡) around lon 120.6–120.95, lat 30.6–30.85 so that "
         "coordinates,\n"
      << "CRS handling and Chinese text look like the real use case. The county code "
      << counties_[0].code << " is not a real division.\n\n"
      << "## Files\n\n"
      << "| file | contents |\n|---|---|\n"
      << "| `roads.osm.pbf` | " << nodes_.size() << " nodes, " << stats.road_ways
      << " highway ways (" << std::fixed;
    o.precision(0);
    o << stats.road_km << " km), " << stats.canal_ways
      << " `waterway=canal` ways; uncompressed PBF, no metadata |\n"
      << "| `villages.geojson` | " << units_.size() << " demand units: " << n_vill
      << " villages (村, area_class rural), " << n_comm
      << " communities (社区, area_class urban); population " << pop << " |\n"
      << "| `services.csv` | " << services_.size()
      << " public legal service points: " << tiers["center"] << " center (中心), "
      << tiers["town_station"] << " town_station (镇街站), " << tiers["village_point"]
      << " village_point (村社点) |\n\n"
      << "## Contents\n\n"
      << "- " << counties_.size() << " county (" << counties_[0].name << ", code "
      << counties_[0].code << "), " << towns_.size() << " towns/streets:";
    for (const Town& t : towns_) o << " " << t.name << " (" << t.code << ")";
    o << ".\n"
      << "- Roads: primary 禾丰大道 (east–west) and 长水路 (north–south) crossing at a roundabout\n"
      << "  (`junction=roundabout`, " << stats.roundabouts
      << ") in the county seat; secondary roads (…线) between\n"
      << "  towns; a ~2 km grid of tertiary county roads; unclassified village roads, tracks, "
         "paths and\n"
      << "  footways between fields; 125 m residential grids in town centres with "
      << stats.oneway_ways << " one-way ways\n"
      << "  (`oneway=yes` and `oneway=-1`).\n"
      << "- Canals (" << canals_.size() << ", " << canal_nodes
      << " canal nodes, not part of the road network): roads cross them only on\n"
      << "  " << stats.bridges << " bridges (`bridge=yes`, `layer=1`); at " << stats.canal_cuts
      << " other places a road stops 25 m short of the bank,\n"
      << "  so the network is split by canals except at bridges.\n"
      << "- Villages lie within ~200 m of a road; communities within ~40 m. Fields: id (= "
         "village_code),\n"
      << "  name, type (村/社区), population, county, county_code, town, town_code, village_code "
         "(12 digits:\n"
      << "  town code + 001–199 for communities, 201–399 for villages), area_class.\n"
      << "- Service ids: C + county code (center), T + town code (town_station), V + village code\n"
      << "  (village_point). Most villages have no point of their own, so a 15-minute walk leaves "
         "real gaps;\n"
      << "  e-bike and car cover more.\n\n"
      << "## Regenerate\n\n"
      << "```sh\ncmake --build build --target legalcircle_generate\n"
      << "./build/legalcircle_generate --out geodata/synthetic-county";
    if (seed_ != kDefaultSeed) o << " --seed " << seed_;
    if (scale_ != 1.0) o << " --scale " << scale_txt;
    o << "\n```\n\n"
      << "The output is byte-for-byte deterministic for a given seed and scale (checked by the\n"
      << "`Generator*` tests). `--scale 10` or more gives benchmark-sized networks.\n";
    write_text(dir / "README.md", o.str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Generate the SYNTHETIC water-town county used as legalcircle's default dataset:\n"
      "roads.osm.pbf, villages.geojson, services.csv and README.md.\n\n"
      "Examples:\n"
      "  legalcircle_generate --out geodata/synthetic-county\n"
      "  legalcircle_generate --scale 10 --out /tmp/county-x10"};
  std::string out = "geodata/synthetic-county";
  std::uint64_t seed = kDefaultSeed;
  double scale = 1.0;
  bool quiet = false;
  app.add_option("-o,--out", out, "Output folder (created if missing)")->capture_default_str();
  app.add_option("--seed", seed, "Random seed")->capture_default_str();
  app.add_option("--scale", scale, "Multiplies the number of towns, villages and road nodes")
      ->check(CLI::Range(0.2, 400.0))
      ->capture_default_str();
  app.add_flag("-q,--quiet", quiet, "No summary on stderr");
  CLI11_PARSE(app, argc, argv);
  try {
    Generator g{seed, scale};
    g.run();
    g.write(out);
    if (!quiet) std::cerr << "wrote " << out << " (seed " << seed << ", scale " << scale << ")\n";
  } catch (const std::exception& e) {
    std::cerr << "legalcircle_generate: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

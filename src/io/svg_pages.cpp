#include "legalcircle/io/svg_pages.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <librsvg/rsvg.h>

#include <cmath>
#include <memory>

#include "legalcircle/core/error.hpp"

namespace legalcircle {
namespace {

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

struct HandleFree {
  void operator()(RsvgHandle* h) const { g_object_unref(h); }
};
using Handle = std::unique_ptr<RsvgHandle, HandleFree>;

Handle load_svg(const std::string& svg, const std::string& what) {
  GError* error = nullptr;
  RsvgHandle* h = rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(svg.data()), svg.size(), &error);
  if (!h) {
    const std::string why = error ? error->message : "unknown error";
    if (error) g_error_free(error);
    throw OutputError(what + ": the page's SVG could not be read by librsvg: " + why);
  }
  rsvg_handle_set_dpi(h, 72);  // one SVG unit is one point on the page
  return Handle(h);
}

void render(RsvgHandle* h, cairo_t* cr, double width, double height, const std::string& what) {
  const RsvgRectangle viewport = {0, 0, width, height};
  GError* error = nullptr;
  if (!rsvg_handle_render_document(h, cr, &viewport, &error)) {
    const std::string why = error ? error->message : "unknown error";
    if (error) g_error_free(error);
    throw OutputError(what + ": librsvg could not draw the page: " + why);
  }
}

void check(cairo_status_t status, const std::string& what) {
  if (status != CAIRO_STATUS_SUCCESS) throw OutputError(what + ": cairo: " + cairo_status_to_string(status));
}

}  // namespace

std::string pdf_from_svg(const std::vector<std::string>& pages, double width_pt, double height_pt, const PdfInfo& info,
                         const std::string& what) {
  std::string out;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(append_bytes, &out, width_pt, height_pt);
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface_guard(surface, cairo_surface_destroy);
  check(cairo_surface_status(surface), what);
  if (!info.title.empty()) cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, info.title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "legalcircle");
  // A fixed date (the run's), so the same input gives the same file.
  if (!info.created.empty()) {
    const std::string date = info.created + "T00:00:00Z";
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, date.c_str());
  }
  cairo_t* cr = cairo_create(surface);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr_guard(cr, cairo_destroy);
  for (const std::string& svg : pages) {
    Handle h = load_svg(svg, what);
    render(h.get(), cr, width_pt, height_pt, what);
    cairo_show_page(cr);
    check(cairo_status(cr), what);
  }
  cr_guard.reset();
  cairo_surface_finish(surface);
  check(cairo_surface_status(surface), what);
  return out;
}

std::string png_from_svg(const std::string& svg, int pixels_wide, const std::string& what) {
  Handle h = load_svg(svg, what);
  double w = 0, h_px = 0;
  if (!rsvg_handle_get_intrinsic_size_in_pixels(h.get(), &w, &h_px) || w <= 0 || h_px <= 0)
    throw OutputError(what + ": the page's SVG has no width and height");
  const int height = int(std::lround(pixels_wide * h_px / w));
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, pixels_wide, height);
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface_guard(surface, cairo_surface_destroy);
  check(cairo_surface_status(surface), what);
  cairo_t* cr = cairo_create(surface);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr_guard(cr, cairo_destroy);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  render(h.get(), cr, pixels_wide, height, what);
  check(cairo_status(cr), what);
  cr_guard.reset();
  std::string out;
  check(cairo_surface_write_to_png_stream(surface, append_bytes, &out), what);
  return out;
}

std::optional<std::string> cjk_font_problem(const std::string& family) {
  if (!FcInit()) return "fontconfig could not start, so no font is known";
  FcPattern* pattern = FcNameParse(reinterpret_cast<const FcChar8*>(family.c_str()));
  if (!pattern) return "fontconfig could not parse the font name '" + family + "'";
  FcConfigSubstitute(nullptr, pattern, FcMatchPattern);
  FcDefaultSubstitute(pattern);
  FcResult result = FcResultNoMatch;
  FcPattern* match = FcFontMatch(nullptr, pattern, &result);
  FcPatternDestroy(pattern);
  if (!match) return "no font at all is installed";
  FcCharSet* chars = nullptr;
  bool covers = false;
  if (FcPatternGetCharSet(match, FC_CHARSET, 0, &chars) == FcResultMatch && chars)
    covers = FcCharSetHasChar(chars, 0x4E2D) && FcCharSetHasChar(chars, 0x6587);  // 中, 文
  FcChar8* found = nullptr;
  std::string found_name = FcPatternGetString(match, FC_FAMILY, 0, &found) == FcResultMatch && found
                               ? reinterpret_cast<const char*>(found)
                               : "?";
  FcPatternDestroy(match);
  if (covers) return std::nullopt;
  return "the font for '" + family + "' is '" + found_name +
         "', which has no Chinese characters (Chinese text prints as boxes); install fonts-noto-cjk";
}

}  // namespace legalcircle

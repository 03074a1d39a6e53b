#pragma once
// SVG pages to PDF and PNG through librsvg + cairo (Debian librsvg2, libcairo2): what prints the
// guide maps. Text is laid out by Pango with the system's fonts; the PDF embeds the glyphs with
// their Unicode, so pdftotext and screen readers get the words back.
#include <optional>
#include <string>
#include <vector>

namespace legalcircle {

struct PdfInfo {
  std::string title;
  std::string created;  // ISO 8601 date (YYYY-MM-DD), written as the PDF's creation date
};

// One PDF, one page per SVG, each page `width_pt` x `height_pt` (A4 portrait: 595.28 x 841.89)
// with the SVG's viewBox fitted into it. OutputError naming `what` when librsvg refuses a page.
std::string pdf_from_svg(const std::vector<std::string>& pages, double width_pt, double height_pt,
                         const PdfInfo& info, const std::string& what);

// A PNG of one SVG page, `pixels_wide` wide, on white.
std::string png_from_svg(const std::string& svg, int pixels_wide, const std::string& what);

// Why Chinese text would not print (fontconfig finds no font covering 中文 for `family`), or none.
std::optional<std::string> cjk_font_problem(const std::string& family);

}  // namespace legalcircle

"""Opens a QGIS project (PyQGIS), finds its print layouts with an atlas, and exports each atlas to
one PDF (argv[2]) and its first page to PNG (argv[3], optional), as GIS staff would from QGIS's
atlas toolbar. Prints the layout, its coverage layer's feature count and the exported page count.
Exits 1 when there is no atlas or the export fails. Used by the e2e tests."""
import sys

from qgis.core import (QgsApplication, QgsLayoutExporter, QgsLayoutItemScaleBar, QgsProject,
                       QgsUnitTypes)

app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
ok = project.read(sys.argv[1])
layouts = [l for l in project.layoutManager().printLayouts() if l.atlas().enabled()]
print(f"project read={ok} atlas_layouts={len(layouts)}")
failed = not ok or not layouts
for layout in layouts:
    atlas = layout.atlas()
    coverage = atlas.coverageLayer()
    print(f"layout name={layout.name()} coverage={coverage.name() if coverage else None} "
          f"features={coverage.featureCount() if coverage else -1} items={len(layout.items())}")
    for item in layout.items():
        if isinstance(item, QgsLayoutItemScaleBar):
            print(f"scalebar units={QgsUnitTypes.encodeUnit(item.units())} per_segment={item.unitsPerSegment()} "
                  f"linked={item.linkedMap() is not None}")
    settings = QgsLayoutExporter.PdfExportSettings()
    result, error = QgsLayoutExporter.exportToPdf(atlas, sys.argv[2], settings)
    print(f"pdf result={result} error={error!r} pages={atlas.count()}")
    failed = failed or result != QgsLayoutExporter.Success
    if len(sys.argv) > 3 and atlas.count() > 0:
        atlas.beginRender()
        atlas.first()
        image = QgsLayoutExporter(layout).exportToImage(sys.argv[3], QgsLayoutExporter.ImageExportSettings())
        atlas.endRender()
        print(f"png result={image}")
    break  # the first atlas layout
del layouts
app.exitQgis()
sys.exit(1 if failed else 0)

"""Opens a QGIS project with QGIS itself (PyQGIS, Debian's python3-qgis), prints one line per
layer, walks the layer tree (every node must be attached to a valid layer, as QGIS resolved it
while reading), and renders the visible layers to PNG (argv[2], optional), failing on a blank or
near-blank picture. Exits 1 on any failure. Used by the e2e tests."""
import sys

from qgis.core import (QgsApplication, QgsMapRendererSequentialJob, QgsMapSettings, QgsProject,
                       QgsRectangle)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
ok = project.read(sys.argv[1])
print(f"project read={ok} crs={project.crs().authid()}")
invalid = 0
for layer in project.mapLayers().values():
    renderer = layer.renderer().type() if layer.renderer() else "none"
    count = layer.featureCount() if layer.isValid() else -1
    aliases = [f"{f.name()}={layer.attributeAlias(i)}" for i, f in enumerate(layer.fields())
               if layer.attributeAlias(i)] if layer.isValid() else []
    print(f"layer name={layer.name()} valid={layer.isValid()} features={count} "
          f"crs={layer.crs().authid()} renderer={renderer} labels={layer.labelsEnabled()} "
          f"aliases={len(aliases)} {' '.join(aliases[:4])}")
    invalid += not layer.isValid()

# The layer tree as QGIS shows it: a node whose layer id did not survive reading has no layer.
nodes = project.layerTreeRoot().findLayers()
detached = [n.layerId() for n in nodes if n.layer() is None or not n.layer().isValid()]
visible = [n.layer() for n in nodes if n.layer() is not None and n.isVisible()]
print(f"tree nodes={len(nodes)} detached={len(detached)} visible={len(visible)} {' '.join(detached)}")

blank = False
if len(sys.argv) > 2:
    settings = QgsMapSettings()
    settings.setLayers(visible)
    settings.setDestinationCrs(project.crs())
    extent = QgsRectangle()
    extent.setMinimal()
    for layer in visible:
        e = settings.layerExtentToOutputExtent(layer, layer.extent())
        extent.combineExtentWith(e)
    extent.scale(1.05)
    settings.setExtent(extent)
    settings.setOutputSize(QSize(1200, 900))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(sys.argv[2], "PNG")
    # Share of pixels that are not the white background, on a 4-pixel lattice; a picture of one
    # colour (nothing drawn at all, or no visible layer) is blank whatever that colour is.
    drawn = total = 0
    colours = set()
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            total += 1
            rgb = image.pixel(x, y) & 0xFFFFFF
            colours.add(rgb)
            drawn += rgb != 0xFFFFFF
    share = drawn / max(1, total)
    blank = not visible or len(colours) < 3 or share < 0.01
    print(f"rendered {sys.argv[2]} drawn={share:.3f} blank={blank}")
app.exitQgis()
sys.exit(0 if ok and invalid == 0 and not detached and not blank else 1)

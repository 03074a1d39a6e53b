"""Opens every layer of a GeoPackage alone in QGIS (PyQGIS), the way a user drags the file into
QGIS, and prints what QGIS applied: renderer, labels, field aliases. The styles come from the
GeoPackage's layer_styles table only (no project, no .qml beside it: pass a copy in its own
folder). Exits 1 when a layer is invalid. Used by the e2e tests."""
import sys

from osgeo import ogr
from qgis.core import QgsApplication, QgsVectorLayer

app = QgsApplication([], False)
app.initQgis()
path = sys.argv[1]
ds = ogr.Open(path)
names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
ds = None
bad = 0
for name in names:
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    if not layer.isValid():
        print(f"layer {name} invalid")
        bad += 1
        del layer
        continue
    renderer = layer.renderer().type() if layer.renderer() else "none"
    aliases = [f"{f.name()}={layer.attributeAlias(i)}" for i, f in enumerate(layer.fields()) if layer.attributeAlias(i)]
    print(f"layer {name} renderer={renderer} labels={layer.labelsEnabled()} aliases={len(aliases)} {' '.join(aliases[:3])}")
    del layer  # before exitQgis: a layer outliving the providers crashes QGIS on exit
app.exitQgis()
sys.exit(1 if bad else 0)

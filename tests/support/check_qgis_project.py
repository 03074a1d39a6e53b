"""Opens a QGIS project with QGIS itself (PyQGIS, Debian's python3-qgis) and prints one line per
layer; exits 1 when the project cannot be read or a layer is invalid. Used by the e2e tests."""
import sys

from qgis.core import QgsApplication, QgsProject

app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
ok = project.read(sys.argv[1])
print(f"project read={ok} crs={project.crs().authid()}")
invalid = 0
for layer in project.mapLayers().values():
    renderer = layer.renderer().type() if layer.renderer() else "none"
    count = layer.featureCount() if layer.isValid() else -1
    print(f"layer name={layer.name()} valid={layer.isValid()} features={count} "
          f"crs={layer.crs().authid()} renderer={renderer}")
    invalid += not layer.isValid()
app.exitQgis()
sys.exit(0 if ok and invalid == 0 else 1)

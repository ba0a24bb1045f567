"Setup for clip-caer-nb: reads settings.ini (nbdev 2 layout) without pkg_resources, which current setuptools no longer ships."
import shlex
from configparser import ConfigParser
from pathlib import Path
import setuptools

cfg = ConfigParser(delimiters=['='])
cfg.read(Path(__file__).parent/'settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']

for k in 'version description keywords author author_email license min_python lib_name user git_url'.split():
    assert k in cfg, f"settings.ini is missing `{k}`"

py_versions = '3.11 3.12 3.13'.split()
min_python = cfg['min_python']
licenses = {'mit': ('MIT License', 'OSI Approved :: MIT License')}
lic = licenses[cfg['license'].lower()]
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']

def _reqs(key):
    "Requirements in settings.ini are space separated; an environment marker must not contain spaces."
    return shlex.split(cfg.get(key, ''))

requirements = _reqs('requirements')
dev_requirements = _reqs('dev_requirements')
console_scripts = [s for s in cfg.get('console_scripts', '').split() if s]

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    license=lic[0],
    classifiers=['Development Status :: ' + statuses[int(cfg['status'])],
                 'Intended Audience :: ' + cfg['audience'].title(),
                 'Natural Language :: ' + cfg['language'].title(),
                 'License :: ' + lic[1]] +
                ['Programming Language :: Python :: ' + o for o in py_versions[py_versions.index(min_python):]],
    url=cfg['git_url'],
    packages=setuptools.find_packages(include=['clip_caer_nb', 'clip_caer_nb.*']),
    include_package_data=True,
    package_data={'clip_caer_nb': ['model_configs/*.json', 'weights/*.safetensors', 'weights/*.json', 'weights/*.md']},
    install_requires=requirements,
    extras_require={'dev': dev_requirements},
    python_requires='>=' + min_python,
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    zip_safe=False,
    entry_points={'console_scripts': console_scripts, 'nbdev': [f'{cfg["lib_path"]}={cfg["lib_path"]}._modidx:d']},
    description=cfg['description'],
    author=cfg['author'],
    author_email=cfg['author_email'],
    keywords=cfg['keywords'],
)

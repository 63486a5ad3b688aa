# Sourced by the role-activate benchmarks: makes "$work/stick" (the demo site plan and
# its manifest, as the builder writes them), "$work/share" standing in for the share,
# and one UserDefinition.property per demo terminal in "$work/<terminal>.property".
# Needs $root (the repository) and $work (an empty temp folder).

terminals="OQS-UKETSUKE1 OQS-UKETSUKE2 OQS-SHINSATSU"
stick="$work/stick"
mkdir -p "$stick/oqs/certs" "$work/share"
cp "$root/examples/demo-clinic/site.toml" "$stick/oqs/site.toml"
(cd "$stick" && find oqs -type f ! -name SHA256SUMS | sort | xargs sha256sum) > "$stick/oqs/SHA256SUMS"
for t in $terminals; do
    printf 'ResponseFileStayTime=60\r\nRequestDataDir=C:\\\\OQS\\\\req\r\nResponseDataDir=C:\\\\OQS\\\\res\r\nPublicMedicalHubRequestDataDir=C:\\\\OQS\\\\req\r\nPublicMedicalHubResponseDataDir=C:\\\\OQS\\\\res\r\nClinicalInfoSharingRequestDataDir=C:\\\\OQS\\\\req\r\nClinicalInfoSharingResponseDataDir=C:\\\\OQS\\\\res\r\n' > "$work/$t.property"
done

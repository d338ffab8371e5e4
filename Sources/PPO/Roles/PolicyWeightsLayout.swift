import Tensor
import Models
import Wire

/// How a store's values travel as `PolicyWeights`: every tensor in the store's spec order.
package enum PolicyWeightsLayout {
    /// The manifest of `store`.
    package static func manifest(of store: ParameterStore) -> [WeightTensor] {
        store.specs.map { WeightTensor(name: $0.name, shape: $0.shape) }
    }

    /// Version `version` of the policy, as `snapshot`'s values (which must not change until the next
    /// version is published; receivers in one process share them without a copy). A snapshot in device
    /// memory is downloaded once into a host copy, which the message then owns.
    package static func publish(_ snapshot: ParameterStore, version: Int, replaces: Int?) -> PolicyWeights {
        let values: WeightValues
        if snapshot.backend.sharesHostMemory {
            values = WeightValues(borrowing: snapshot.values.pointer, count: snapshot.count, owner: snapshot)
        } else {
            let host = FloatBuffer(count: snapshot.count)
            snapshot.backend.download(snapshot.values.pointer, into: UnsafeMutableBufferPointer(start: host.pointer, count: snapshot.count))
            values = WeightValues(borrowing: host.pointer, count: snapshot.count, owner: host)
        }
        return PolicyWeights(version: version, replaces: replaces, tensors: manifest(of: snapshot), values: values)
    }

    /// Checks that `weights` is a valid message with exactly `store`'s tensors, names and shapes.
    package static func check(_ weights: PolicyWeights, fits store: ParameterStore) throws(MessageError) {
        try weights.validate()
        guard weights.tensors == manifest(of: store), weights.values.count == store.count else {
            throw .weights(version: weights.version, what: "its tensors do not match this generator's model")
        }
    }
}
